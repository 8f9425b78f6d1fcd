import Testing
import TestSupport
@testable import Datasets

@Suite struct PythonLayoutTests {
    /// A CIFAR python batch; `width` lets a test write a wrong row length. The released files were written by
    /// Python 2 (`.python2`); most tests use the Python 3 dialect, which the Pickle module reads today.
    private func cifarBatch(labelKey: String = "labels", labels: [Int], firstImage: Int, width: Int = 3072,
                            extra: [(String, PickleWriter.Value)] = [],
                            dialect: PickleWriter.Dialect = .python3) -> [UInt8] {
        let pixels = (0..<labels.count).flatMap { Array(Fixtures.pixels(.cifar, seed: firstImage + $0).prefix(width)) }
        return PickleWriter.dict(
            [("batch_label", .text("training batch")), (labelKey, .ints(labels)),
             ("data", .array("u1", [labels.count, width], pixels))] + extra, dialect: dialect)
    }

    /// The released CIFAR python batches come from Python 2 cPickle: the dtype code 'u1' and byte order '|'
    /// are BINSTRINGs (bytes).
    @Test func cifarBatchAsPython2WroteIt() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.write(cifarBatch(labels: [4, 2], firstImage: 0, dialect: .python2), to: dir + "/test_batch")
        let test = try CIFAR.cifar10.load(.test, from: dir, expectedCount: 2)
        #expect(test.labels == [4, 2] && Array(test.image(1)) == Fixtures.pixels(.cifar, seed: 1))
    }

    @Test func cifar10PythonEqualsBinary() throws {
        let py = Fixtures.temporaryDirectory(), bin = Fixtures.temporaryDirectory()
        for b in 1...5 {
            let labels = [b, 9 - b, 0]
            try Fixtures.write(cifarBatch(labels: labels, firstImage: 3 * b), to: py + "/data_batch_\(b)")
            try Fixtures.write(Fixtures.cifarRecords(labels.map { [UInt8($0)] }, firstImage: 3 * b),
                               to: bin + "/data_batch_\(b).bin")
        }
        let fromPython = try CIFAR.cifar10.load(.train, from: py, expectedCount: 15)
        let fromBinary = try CIFAR.cifar10.load(.train, from: bin, expectedCount: 15)
        #expect(fromPython.labels == [1, 8, 0, 2, 7, 0, 3, 6, 0, 4, 5, 0, 5, 4, 0])
        #expect(fromPython.labels == fromBinary.labels && fromPython.pixels == fromBinary.pixels)
        #expect(fromPython.classCount == 10 && fromPython.shape == .cifar)
    }

    @Test func cifar100PythonReadsFineLabels() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.write(cifarBatch(labelKey: "fine_labels", labels: [99, 3], firstImage: 0,
                                      extra: [("coarse_labels", .ints([19, 1]))]), to: dir + "/test")
        let test = try CIFAR.cifar100.load(.test, from: dir, expectedCount: 2)
        #expect(test.labels == [99, 3] && test.classCount == 100)
        #expect(Array(test.image(1)) == Fixtures.pixels(.cifar, seed: 1))
    }

    @Test func imageNet16KeepsTheFirst120ClassesInFileOrder() throws {
        let dir = Fixtures.temporaryDirectory(), shape = ImageShape.imageNet16
        var expectedLabels = [Int32](), expectedPixels = [UInt8]()
        for b in 1...10 {
            let labels = [b, 121, 120 + b % 2, 1000, 57]
            var pixels = [UInt8]()
            for (k, label) in labels.enumerated() {
                let image = Fixtures.pixels(shape, seed: 100 * b + k)
                pixels += image
                if label <= 120 {
                    expectedLabels.append(Int32(label - 1))
                    expectedPixels += image
                }
            }
            try Fixtures.write(PickleWriter.dict(
                [("data", .array("u1", [labels.count, 768], pixels)), ("labels", .ints(labels)),
                 ("mean", .array("f8", [1], [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]))], dialect: .python3),
                to: dir + "/train_data_batch_\(b)")
        }
        let train = try ImageNet16.load(.train, from: dir, classes: 120, expectedCount: expectedLabels.count)
        #expect(train.labels == expectedLabels && train.pixels == expectedPixels)
        #expect(train.shape == .imageNet16 && train.classCount == 120)
        #expect(throws: DatasetError.self) { try ImageNet16.load(.train, from: dir) } // release: 151,700
    }

    @Test func labelsOutsideTheRangeAreErrors() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.write(cifarBatch(labels: [3, 10], firstImage: 0), to: dir + "/test_batch")
        #expect(throws: DatasetError.labelOutOfRange(path: dir + "/test_batch", record: 1, label: 10, valid: 0...9)) {
            try CIFAR.cifar10.load(.test, from: dir, expectedCount: 2)
        }
        try Fixtures.write(PickleWriter.dict(
            [("data", .array("u1", [2, 768], [UInt8](repeating: 7, count: 1536))), ("labels", .ints([5, 0]))],
            dialect: .python3), to: dir + "/val_data")
        #expect(throws: DatasetError.labelOutOfRange(path: dir + "/val_data", record: 1, label: 0, valid: 1...1000)) {
            try ImageNet16.load(.test, from: dir, classes: 120, expectedCount: 1)
        }
    }

    @Test func malformedBatchesNameTheFileAndTheProblem() throws {
        let dir = Fixtures.temporaryDirectory(), path = dir + "/test_batch"
        let cases: [([UInt8], String)] = [
            (cifarBatch(labels: [1, 2], firstImage: 0, width: 3071), "\"data\""),
            (Array(cifarBatch(labels: [1, 2], firstImage: 0).dropLast(40)), "pickle"),
            (PickleWriter.dict([("data", .array("u1", [1, 3072], Fixtures.pixels(.cifar, seed: 0))),
                                ("labels", .ints([1, 2]))], dialect: .python3), "\"labels\""),
            (PickleWriter.dict([("labels", .ints([1]))], dialect: .python2), "\"data\""),
            ([0x80, 0x02, 0x4B, 0x05, 0x2E], "expected a dict"), // the pickle of the int 5
        ]
        for (bytes, mention) in cases {
            try Fixtures.write(bytes, to: path)
            do {
                _ = try CIFAR.cifar10.load(.test, from: dir, expectedCount: 2)
                Issue.record("a malformed batch must be an error (\(mention))")
            } catch let DatasetError.malformedBatch(p, reason) {
                #expect(p == path && reason.contains(mention), "\(reason)")
            }
        }
    }

    @Test func missingPythonBatchIsNamed() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.write(cifarBatch(labels: [1], firstImage: 0), to: dir + "/data_batch_1")
        #expect(throws: DatasetError.missingFile(
            path: dir + "/data_batch_2", expected: "a CIFAR-10 python batch (pickle)")) {
            try CIFAR.cifar10.load(.train, from: dir, expectedCount: 5)
        }
        #expect(throws: DatasetError.missingFile(
            path: dir + "/train_data_batch_1", expected: "an ImageNet16 python batch (pickle)")) {
            try ImageNet16.load(.train, from: dir, classes: 120, expectedCount: 1)
        }
    }
}
