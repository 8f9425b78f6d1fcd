import Testing
@testable import Datasets

@Suite struct CIFARBinaryTests {
    @Test func readsCIFAR10Records() throws {
        let dir = Fixtures.temporaryDirectory(), file = dir + "/data_batch_1.bin"
        try Fixtures.write(Fixtures.cifarRecords([[3], [0], [9]]), to: file)
        let set = try CIFARBinary.read(file: file, layout: .cifar10)
        #expect(set.count == 3 && set.shape == .cifar && set.classCount == 10)
        #expect(set.labels == [3, 0, 9])
        for i in 0..<3 { #expect(Array(set.image(i)) == Fixtures.pixels(.cifar, seed: i)) }
    }

    @Test func readsCIFAR100FineLabels() throws {
        let dir = Fixtures.temporaryDirectory(), file = dir + "/train.bin"
        try Fixtures.write(Fixtures.cifarRecords([[19, 99], [0, 42]]), to: file)
        let set = try CIFARBinary.read(file: file, layout: .cifar100)
        #expect(set.labels == [99, 42] && set.classCount == 100)
        #expect(Array(set.image(1)) == Fixtures.pixels(.cifar, seed: 1))
    }

    @Test func truncatedRecordIsAnError() throws {
        let dir = Fixtures.temporaryDirectory(), file = dir + "/data_batch_1.bin"
        try Fixtures.write(Array(Fixtures.cifarRecords([[1], [2]]).dropLast()), to: file)
        #expect(throws: DatasetError.badRecordSize(path: file, fileSize: 2 * 3073 - 1, recordSize: 3073)) {
            try CIFARBinary.read(file: file, layout: .cifar10)
        }
        try Fixtures.write([], to: file)
        #expect(throws: DatasetError.badRecordSize(path: file, fileSize: 0, recordSize: 3073)) {
            try CIFARBinary.read(file: file, layout: .cifar10)
        }
    }

    @Test func labelOutsideTheRangeIsAnError() throws {
        let dir = Fixtures.temporaryDirectory(), file = dir + "/x.bin"
        try Fixtures.write(Fixtures.cifarRecords([[1], [10]]), to: file)
        #expect(throws: DatasetError.labelOutOfRange(path: file, record: 1, label: 10, valid: 0...9)) {
            try CIFARBinary.read(file: file, layout: .cifar10)
        }
        try Fixtures.write(Fixtures.cifarRecords([[0, 5], [3, 100]]), to: file)
        #expect(throws: DatasetError.labelOutOfRange(path: file, record: 1, label: 100, valid: 0...99)) {
            try CIFARBinary.read(file: file, layout: .cifar100)
        }
        try Fixtures.write(Fixtures.cifarRecords([[20, 5]]), to: file)
        #expect(throws: DatasetError.labelOutOfRange(path: file, record: 0, label: 20, valid: 0...19)) {
            try CIFARBinary.read(file: file, layout: .cifar100)
        }
    }

    @Test func missingFileIsNamed() throws {
        let file = Fixtures.temporaryDirectory() + "/test_batch.bin"
        #expect(throws: DatasetError.missingFile(path: file, expected: "a CIFAR binary batch of 3073-byte records")) {
            try CIFARBinary.read(file: file, layout: .cifar10)
        }
    }

    @Test func directoryLoaderConcatenatesBatchesInOrderAndChecksTheCount() throws {
        let dir = Fixtures.temporaryDirectory()
        for b in 1...5 {
            try Fixtures.write(Fixtures.cifarRecords([[UInt8(b)], [UInt8(b - 1)]], firstImage: 2 * (b - 1)),
                               to: dir + "/data_batch_\(b).bin")
        }
        let train = try CIFAR.cifar10.load(.train, from: dir, expectedCount: 10)
        #expect(train.labels == [1, 0, 2, 1, 3, 2, 4, 3, 5, 4])
        #expect(Array(train.image(7)) == Fixtures.pixels(.cifar, seed: 7))

        #expect(throws: DatasetError.self) { try CIFAR.cifar10.load(.train, from: dir) } // release: 50,000
        do {
            _ = try CIFAR.cifar10.load(.train, from: dir, expectedCount: 12)
            Issue.record("a wrong image count must be an error")
        } catch let DatasetError.imageCountMismatch(what, found, expected) {
            #expect(found == 10 && expected == 12 && what.contains("data_batch_5.bin"))
        }
        #expect(throws: DatasetError.missingFile(
            path: dir + "/test_batch.bin", expected: "a CIFAR binary batch of 3073-byte records")) {
            try CIFAR.cifar10.load(.test, from: dir, expectedCount: 1)
        }
    }
}
