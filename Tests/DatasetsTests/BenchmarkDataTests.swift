import Testing
import SearchSpace
@testable import Datasets

@Suite struct BenchmarkDataTests {
    private func splitsDirectory() throws -> String {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.write(Array(#"{"train": ["int", ["4", "0", "2"]], "valid": ["int", ["1", "3", "5"]]}"#.utf8),
                           to: dir + "/cifar-split.txt")
        try Fixtures.write(Array(#"{"xvalid": ["int", ["3", "1"]], "xtest": ["int", ["0", "2"]]}"#.utf8),
                           to: dir + "/cifar100-test-split.txt")
        return dir
    }

    @Test func cifar10ValidSplitsTheTrainSet() throws {
        let data = try BenchmarkData(dataset: .cifar10Valid, train: Fixtures.indexedSet(count: 6),
                                     test: Fixtures.indexedSet(count: 4), splitsDirectory: splitsDirectory())
        let train = try data.subset(.train), valid = try data.subset(.xValid), test = try data.subset(.oriTest)
        #expect((0..<train.count).map { train.label(at: $0) } == [4, 0, 2])
        #expect((0..<valid.count).map { valid.label(at: $0) } == [1, 3, 5])
        #expect(test.indices == [0, 1, 2, 3] && test.base.count == 4)
        #expect(throws: DatasetError.unavailableSplit(
            dataset: "cifar10-valid", split: "x-test", available: ["train", "x-valid", "ori-test"])) {
            try data.subset(.xTest)
        }
    }

    @Test func cifar100SplitsTheTestSet() throws {
        let data = try BenchmarkData(dataset: .cifar100, train: Fixtures.indexedSet(count: 6),
                                     test: Fixtures.indexedSet(count: 4), splitsDirectory: splitsDirectory())
        #expect(try data.subset(.train).count == 6)
        #expect(try data.subset(.xValid).indices == [3, 1])
        #expect(try data.subset(.xTest).indices == [0, 2])
        #expect(try data.subset(.xValid).base.count == 4)
    }

    @Test func splitIndexBeyondTheSetIsAnError() throws {
        let dir = try splitsDirectory()
        #expect(throws: DatasetError.splitIndexOutOfRange(
            path: dir + "/cifar-split.txt", key: "valid", index: 5, count: 5)) {
            try BenchmarkData(dataset: .cifar10Valid, train: Fixtures.indexedSet(count: 5),
                              test: Fixtures.indexedSet(count: 4), splitsDirectory: dir)
        }
    }

    /// The real CIFAR-10 rebuilt by `../shared/tools/prepare-cifar10 /tmp/nb201-cifar10/cifar-10-batches-bin`
    /// (or at `$NB201_CIFAR10_DIR`): release label order, pixel statistics, and the NB201 split sizes.
    @Test(.enabled(if: Fixtures.cifar10Present && Fixtures.splitsPresent,
                   "real CIFAR-10 absent: run ../shared/tools/prepare-cifar10 \(Fixtures.cifar10Directory) or set NB201_CIFAR10_DIR"))
    func realCIFAR10() throws {
        let data = try BenchmarkData.load(.cifar10Valid, dataDirectory: Fixtures.cifar10Directory,
                                          splitsDirectory: Fixtures.splitsDirectory)
        #expect(data.train.count == 50_000 && data.test.count == 10_000)
        #expect(Array(data.train.labels.prefix(10)) == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3])
        let (mean, std) = data.train.channelStatistics()
        for (value, expected) in zip(mean + std, [125.3, 122.9, 113.9, 62.5, 61.9, 66.5]) {
            #expect(abs(value - expected) < 0.1, "train mean/std \(mean) / \(std)")
        }
        #expect(try data.subset(.train).count == 25_000)
        #expect(try data.subset(.xValid).count == 25_000)
        #expect(try data.subset(.oriTest).count == 10_000)
        let counts = Dictionary(grouping: data.test.labels, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 10 && counts.values.allSatisfy { $0 == 1_000 })
    }
}
