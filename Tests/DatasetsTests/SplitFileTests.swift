import Testing
@testable import Datasets

@Suite struct SplitFileTests {
    private func write(_ text: String) throws -> String {
        let path = Fixtures.temporaryDirectory() + "/split.txt"
        try Fixtures.write(Array(text.utf8), to: path)
        return path
    }

    @Test func parsesTheNB201Layout() throws {
        let path = try write(#"{ "train" : ["int", ["0", "5", "7"]], "valid": ["int", ["1", "2"]] }"#)
        let file = try SplitFile.read(path)
        #expect(try file.indices("train", within: 8) == [0, 5, 7])
        #expect(try file.indices("valid", within: 3) == [1, 2])
        #expect(throws: DatasetError.splitIndexOutOfRange(path: path, key: "train", index: 7, count: 7)) {
            try file.indices("train", within: 7)
        }
        #expect(throws: DatasetError.self) { try file.indices("xvalid", within: 8) }
    }

    @Test(arguments: [
        "not json",
        "[1, 2]",
        #"{"train": ["str", ["0"]]}"#,
        #"{"train": ["int", [0, 1]]}"#,
        #"{"train": ["int", ["0", "x"]]}"#,
        #"{"train": ["int", ["-1"]]}"#,
    ])
    func malformedFilesAreErrors(text: String) throws {
        let path = try write(text)
        do {
            _ = try SplitFile.read(path)
            Issue.record("\(text) must not parse")
        } catch let DatasetError.malformedSplitFile(p, _) {
            #expect(p == path)
        }
    }

    @Test func missingFileIsNamed() throws {
        let path = Fixtures.temporaryDirectory() + "/cifar-split.txt"
        #expect(throws: DatasetError.missingFile(path: path, expected: "a NAS-Bench-201 split file (JSON)")) {
            try SplitFile.read(path)
        }
    }

    /// The real split files halve their sets: disjoint halves covering every index once.
    @Test(.enabled(if: Fixtures.splitsPresent, "../shared/data/splits absent: real split files not checked"),
          arguments: [
              ("cifar-split.txt", "train", "valid", 50_000),
              ("cifar100-test-split.txt", "xvalid", "xtest", 10_000),
              ("imagenet-16-120-test-split.txt", "xvalid", "xtest", 6_000),
              ("ImageNet16-120-split.txt", "train", "valid", 151_700),
          ])
    func realSplitFilesHalveTheirSets(name: String, first: String, second: String, total: Int) throws {
        let file = try SplitFile.read(Fixtures.splitsDirectory + "/" + name)
        let a = try file.indices(first, within: total), b = try file.indices(second, within: total)
        #expect(a.count == total / 2 && b.count == total / 2)
        #expect(Set(a + b).count == total)
    }
}
