import Testing
@testable import Datasets

@Suite struct BatchingTests {
    private static let set = Fixtures.indexedSet(count: 23)
    private static let raw = Normalization(mean: [0, 0, 0], std: [1, 1, 1])

    private func trainingPlan(seed: UInt64, dropLast: Bool = false) -> BatchPlan {
        BatchPlan(subset: Subset(Self.set), batchSize: 5, normalization: Normalization.cifar10,
                  augmentation: Augmentation(padding: 2, flip: true), shuffle: true, dropLast: dropLast, seed: seed)
    }

    @Test func batchCountsAndLastBatch() {
        #expect(trainingPlan(seed: 1).batchesPerEpoch == 5)
        #expect(trainingPlan(seed: 1, dropLast: true).batchesPerEpoch == 4)
        let last = trainingPlan(seed: 1).batch(BatchPosition(epoch: 0, batch: 4))
        #expect(last.count == 3 && last.images.count == 3 * 192)
    }

    @Test func sameSeedSameBatchesOtherSeedOtherBatches() {
        let a = trainingPlan(seed: 7), b = trainingPlan(seed: 7), c = trainingPlan(seed: 8)
        for e in 0..<2 {
            for k in 0..<a.batchesPerEpoch {
                let p = BatchPosition(epoch: e, batch: k)
                #expect(a.batch(p).images == b.batch(p).images && a.batch(p).labels == b.batch(p).labels)
            }
        }
        #expect(a.order(epoch: 0) != c.order(epoch: 0))
        #expect(a.batch(.start).images != c.batch(.start).images)
    }

    @Test func everyEpochVisitsEveryImageOnceInItsOwnOrder() {
        let plan = trainingPlan(seed: 3)
        var orders = [[Int32]]()
        for e in 0..<3 {
            var labels = [Int32]()
            plan.forEachBatch(epoch: e) { labels += $0.labels }
            #expect(labels.sorted() == (0..<23).map(Int32.init))
            orders.append(labels)
        }
        #expect(orders[0] != orders[1] && orders[1] != orders[2] && orders[0] != orders[2])
    }

    /// Augmentation differs between epochs even for the same image.
    @Test func augmentationIsDrawnAfreshEachEpoch() {
        let plan = BatchPlan(subset: Subset(Self.set), batchSize: 23, normalization: Self.raw,
                             augmentation: Augmentation(padding: 2, flip: true), seed: 4)
        #expect(plan.batch(BatchPosition(epoch: 0, batch: 0)).images
                    != plan.batch(BatchPosition(epoch: 1, batch: 0)).images)
    }

    @Test func evaluationBatchesAreTheNormalisedImagesInSubsetOrder() {
        let subset = Subset(Self.set, indices: [9, 2, 17])
        let plan = BatchPlan.evaluation(subset, dataset: .cifar10, batchSize: 2)
        var seen = [Batch]()
        plan.forEachBatch(epoch: 5) { seen.append($0) }
        #expect(seen.map(\.labels) == [[9, 2], [17]])
        let n = Normalization.cifar10
        let expected = Self.set.image(2).enumerated().map { k, v in (Float(v) - n.mean[k / 64]) / n.std[k / 64] }
        #expect(Array(seen[0].images[192..<384]) == expected)
    }

    @Test(arguments: [false, true])
    func loaderResumesMidEpochExactly(prefetch: Bool) {
        let plan = trainingPlan(seed: 11)
        let loader = BatchLoader(plan: plan, prefetch: prefetch)
        let run = (0..<12).map { _ in loader.next() }
        #expect(run.map(\.position) == (0..<12).map { BatchPosition(epoch: $0 / 5, batch: $0 % 5) })
        #expect(loader.position == BatchPosition(epoch: 2, batch: 2))
        for k in [0, 3, 4, 5, 8] {
            let resumed = BatchLoader(plan: plan, startingAt: run[k].position, prefetch: prefetch)
            for j in k..<min(k + 4, run.count) {
                let b = resumed.next()
                #expect(b.position == run[j].position && b.images == run[j].images && b.labels == run[j].labels)
            }
        }
        #expect(run[7].images == plan.batch(BatchPosition(epoch: 1, batch: 2)).images)
    }

    @Test func fixedSamplesDependOnTheSeedAlone() {
        let subset = Subset(Self.set, indices: Array(5..<23))
        let a = subset.sample(10, seed: 2000), b = subset.sample(10, seed: 2000), c = subset.sample(10, seed: 2001)
        #expect(a.indices == b.indices && a.indices != c.indices)
        #expect(Set(a.indices).count == 10 && a.indices.allSatisfy { (5..<23).contains($0) })
        #expect(subset.sample(100, seed: 1).count == 18)
    }
}
