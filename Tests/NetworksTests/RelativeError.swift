import Foundation

/// Largest |a - b| relative to the largest |b| of the tensor (norm-wise relative error); a reference that is
/// structurally zero (e.g. the bias of a BN whose output only feeds another BN) is compared against 1e-3.
func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count, !b.isEmpty else { return .infinity }
    let scale = max(b.map { abs(Double($0)) }.max()!, 1e-3)
    return zip(a, b).map { abs(Double($0) - Double($1)) }.max()! / scale
}
