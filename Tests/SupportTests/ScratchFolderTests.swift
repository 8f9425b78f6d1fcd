import Foundation
import Testing
import TestSupport

/// The test suite's scratch folders: which ones a starting test process removes as left over.
@Suite struct ScratchFolderTests {
    @Test func foldersOfGoneProcessesAndOldNamesAreLeftovers() {
        #expect(SharedData.isLeftover("nb201-test-4CB1CCE8-B4F2-485D-BEF1-F97D133F57CB"))  // named before the PID folders
        #expect(SharedData.isLeftover("nb201-importers-4410-simple") && SharedData.isLeftover("nb201-pickle-tests-4410"))
        #expect(SharedData.isLeftover("nb201-test-2147483646"))                              // no such process
        #expect(!SharedData.isLeftover("nb201-test-1"))                                       // a live process's folder
        #expect(!SharedData.isLeftover("nb201-cifar10") && !SharedData.isLeftover("nb201-bench"))
        #expect(FileManager.default.fileExists(atPath: SharedData.scratchRoot.path))
    }
}
