import Support
import Engine
import Networks
import SearchSpace
import Testing
import TestSupport
@testable import Proxies

/// The five proxies of three small networks (C = 4, 5, 4; N = 1; 8x8 input; 32 images) against PyTorch computing
/// the reference definitions in float64 (data/fixtures/generate/make_proxy_fixture.py wrote data/fixtures/proxies_golden.bin).
@Suite struct GoldenProxyTests {
    @Test(arguments: 0..<3) func matchesPyTorch(cellIndex: Int) throws {
        let fx = try TensorFixture(named: "proxies_golden.bin")
        let prefix = "cell\(cellIndex):"
        let cell = try Cell(ops: try fx.values(prefix + "arch_ops").map { Operation(rawValue: Int($0))! })
        let shape = NetworkShape(channels: Int(try fx.values(prefix + "C")[0]), cellsPerStage: 1, classes: 10, resolution: 8)
        let network = NB201Network(cell: cell, shape: shape, rng: SeededRandom(seed: 1))
        let bnFree = NB201Network(cell: cell, shape: shape, rng: SeededRandom(seed: 1), batchNorm: false)
        let stored = Set(fx.tensors.keys.filter { $0.hasPrefix(prefix + "param:") }.map { String($0.dropFirst(prefix.count + 6)) })
        #expect(Set(network.parameters.map(\.name)) == stored)
        #expect(Set(bnFree.parameters.map(\.name)).isSubset(of: stored))
        for p in network.parameters + bnFree.parameters {
            let v = try fx.values(prefix + "param:" + p.name)
            try #require(v.count == p.count, "\(p.name): \(v.count) values for \(p.value.shape)")
            p.value.copy(from: Tensor(shape: p.value.shape, values: v))
        }
        let batch = ProxyBatch(images: try fx.values("input"), labels: try fx.values("labels").map { Int32($0) }, resolution: 8)
        let scores = proxyScores(network: network, synflowNetwork: bnFree, batch: batch)
        for proxy in Proxy.allCases {
            let expected = try fx.score(prefix + "score:" + proxy.rawValue)
            let got = try #require(scores[proxy], "\(proxy.rawValue) undefined")
            let error = abs(got - expected) / abs(expected)
            #expect(error < proxy.tolerance, "\(proxy.rawValue) of \(cell.archString): \(got) vs PyTorch \(expected), relative error \(error)")
        }
    }
}

extension Proxy {
    /// Relative tolerance against the float64 reference: float32 sums (synflow, snip, grad_norm), the
    /// eigenvalues of a correlation matrix of float32 Jacobians (jacob_cov); nwot counts are exact.
    var tolerance: Double {
        switch self {
        case .synflow, .snip, .gradNorm: 1e-6
        case .jacobCov: 1e-6
        case .nwot: 1e-12
        }
    }
}
