import Support
import Engine
import Networks
import SearchSpace

/// The zero-cost proxies this module computes. Each is a score of an untrained network (PyTorch-default
/// initialisation from a seed) on one batch; higher means predicted better. Definitions follow the reference
/// code of Abdelfattah et al. 2021 (synflow, snip, grad_norm, jacob_cov) and Mellor et al. 2021 (nwot); see
/// data/PROXIES.md for every choice.
public enum Proxy: String, CaseIterable, Sendable {
    case synflow
    case snip
    case gradNorm = "grad_norm"
    case jacobCov = "jacob_cov"
    case nwot
}

/// One cell's proxy scores. `jacobCov` is nil where the reference yields NaN: a Jacobian row with no variance
/// (a cell with no path from input to output has an all-zero Jacobian).
public struct ProxyScores: Sendable, Equatable {
    public var synflow: Double
    public var snip: Double
    public var gradNorm: Double
    public var jacobCov: Double?
    public var nwot: Double

    public subscript(_ proxy: Proxy) -> Double? {
        switch proxy {
        case .synflow: synflow
        case .snip: snip
        case .gradNorm: gradNorm
        case .jacobCov: jacobCov
        case .nwot: nwot
        }
    }
}

/// Computes every proxy for a cell: one network initialised from `seed` (the BN-free synflow copy draws the same
/// weights from the same seed), measured on `batch`.
public func proxyScores(cell: Cell, shape: NetworkShape, batch: ProxyBatch, seed: UInt64) -> ProxyScores {
    let network = NB201Network(cell: cell, shape: shape, rng: SeededRandom(seed: seed).fork("init"))
    return proxyScores(network: network, synflowNetwork: NB201Network(cell: cell, shape: shape,
                       rng: SeededRandom(seed: seed).fork("init"), batchNorm: false), batch: batch)
}

/// The proxies of given networks (weights already set): `network` with BatchNorm in training mode, and the same
/// weights without BatchNorm for synflow (its weights are replaced by their absolute values).
public func proxyScores(network: NB201Network, synflowNetwork: NB201Network, batch: ProxyBatch) -> ProxyScores {
    let measured = batchProxies(network, batch: batch)
    return ProxyScores(synflow: synflow(synflowNetwork), snip: measured.snip, gradNorm: measured.gradNorm,
                       jacobCov: measured.jacobCov, nwot: measured.nwot)
}

/// The tensors the reference scores: the weights of every Conv2d and Linear layer (rank >= 2), not BatchNorm
/// parameters and not the classifier's bias (`get_layer_metric_array` visits Conv2d and Linear `.weight` only).
func scoredParameters(_ network: NB201Network) -> [Parameter] {
    network.parameters.filter { $0.value.shape.count >= 2 }
}
