import Testing
@testable import Pickle

@Suite struct ContainerTests {
    let object = PickleFixtures.resultsCountP2

    @Test func plainAndBzip2PicklesAreRecognisedFromTheirBytes() throws {
        let plain = try PickleFile(path: TestSupport.temporaryFile("plain.bin", object))
        let compressed = try PickleFile(path: TestSupport.temporaryFile("compressed.pth", TestSupport.bzip2(object)))
        #expect(plain.layout == .pickle && !plain.bzip2)
        #expect(compressed.layout == .pickle && compressed.bzip2)
        let expected = try TestSupport.load(object)
        for memo in [PickleFile.MemoPolicy.keepAll, .scanFirst] {
            #expect(try plain.load(memo: memo).object == expected)
            #expect(try compressed.load(memo: memo).object == expected)
        }
    }

    @Test func legacyTorchLayout() throws {
        for (name, bytes) in [("legacy.pickle", TestSupport.torchLegacy(object)),
                              ("legacy.bz2", TestSupport.bzip2(TestSupport.torchLegacy(object)))] {
            let file = try PickleFile(path: TestSupport.temporaryFile(name, bytes))
            #expect(file.layout == .torchLegacy)
            let loaded = try file.load(memo: .scanFirst)
            #expect(loaded.object == (try TestSupport.load(object)))
            #expect(loaded.torch?.storageKeys == [])
            #expect(loaded.torch?.sysInfo["little_endian"] == .bool(true))
        }
    }

    @Test func zipTorchLayout() throws {
        let zip = TestSupport.storedZip([("archive/version", Array("3\n".utf8)), ("archive/data.pkl", object),
                                         ("archive/data/0", [1, 2, 3, 4])])
        let file = try PickleFile(path: TestSupport.temporaryFile("model.pkl", zip))
        #expect(file.layout == .torchZip(entry: "archive/data.pkl"))
        #expect(try file.load(memo: .scanFirst).object == (try TestSupport.load(object)))
        let noPickle = try TestSupport.temporaryFile("nopickle.zip", TestSupport.storedZip([("archive/version", [0x33])]))
        #expect(throws: PickleError.self) { try PickleFile(path: noPickle) }
    }

    @Test func bzip2ErrorsAreReported() throws {
        let good = TestSupport.bzip2(object)
        var corrupt = good
        corrupt[good.count / 2] ^= 0x55
        for bytes in [Array(good.prefix(good.count - 10)), corrupt, Array("BZh9".utf8)] {
            let path = try TestSupport.temporaryFile("bad.bz2", bytes)
            #expect(throws: PickleError.self) { try PickleFile(path: path).load() }
        }
        // Concatenated streams (pbzip2) decode as one.
        let twice = try TestSupport.temporaryFile("twice.bz2", TestSupport.bzip2(Array(object.dropLast(40))) + TestSupport.bzip2(Array(object.suffix(40))))
        #expect(try PickleFile(path: twice).load().object == (try TestSupport.load(object)))
    }

    @Test func unrecognisedBytesAreRefused() throws {
        let path = try TestSupport.temporaryFile("text.txt", Array("hello world".utf8))
        #expect(throws: PickleError.self) { try PickleFile(path: path) }
    }
}
