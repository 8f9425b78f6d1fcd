import Foundation
import Testing
@testable import Proxies

@Suite struct LinearAlgebraTests {
    /// The n x n second-difference matrix (2 on the diagonal, -1 beside it) has eigenvalues
    /// 2 - 2 cos(k pi / (n + 1)), k = 1..n, and determinant n + 1.
    static func secondDifference(_ n: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] = 2
            if i + 1 < n { a[i * n + i + 1] = -1; a[(i + 1) * n + i] = -1 }
        }
        return a
    }

    @Test func jacobiEigenvaluesOfKnownMatrix() {
        let n = 64
        let got = symmetricEigenvalues(Self.secondDifference(n), size: n).sorted()
        let expected = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }.sorted()
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-10, "eigenvalue \(g) vs \(e)") }
    }

    @Test func logDeterminantWithPivoting() {
        #expect(abs(logAbsDeterminant(Self.secondDifference(64), size: 64) - log(65)) < 1e-10)
        // A permutation with a negative determinant and a zero leading entry needs the pivoting.
        #expect(abs(logAbsDeterminant([0, 3, 2, 0], size: 2) - log(6)) < 1e-12)
        #expect(logAbsDeterminant([1, 2, 2, 4], size: 2) == -.infinity)
    }

    @Test func correlationOfConstantRowIsUndefined() {
        let rows: [Float] = [1, 2, 3, 5, 5, 5]
        #expect(rows.withUnsafeBufferPointer { correlationMatrix(rows: $0.baseAddress!, count: 2, length: 3) } == nil)
        let corr = [Float]([1, 2, 3, 6, 4, 2]).withUnsafeBufferPointer { correlationMatrix(rows: $0.baseAddress!, count: 2, length: 3) }
        #expect(corr.map { $0.map { ($0 * 1e12).rounded() / 1e12 } } == [1, -1, -1, 1])
    }
}
