import Testing
@testable import SearchSpace

/// The one home of the rule "a search on CIFAR-10 learns from cifar10-valid": searchSource and its inverse.
@Suite struct BenchmarkDatasetTests {
    @Test func searchesOnCIFAR10UseCifar10Valid() {
        #expect(BenchmarkDataset.cifar10.searchSource == .cifar10Valid)
        #expect(BenchmarkDataset.cifar10Valid.searchDataset == .cifar10)
        for d in [BenchmarkDataset.cifar100, .imageNet16] { #expect(d.searchSource == d && d.searchDataset == d) }
        for d in BenchmarkDataset.allCases { #expect(d.searchDataset.searchSource.searchDataset == d.searchDataset) }
    }

    @Test func namesParseCaseInsensitivelyWithCommonSpellings() {
        #expect(BenchmarkDataset(name: "CIFAR10-VALID") == .cifar10Valid && BenchmarkDataset(name: "imagenet16") == .imageNet16)
        #expect(BenchmarkDataset(name: "cifar-10") == nil)
    }
}
