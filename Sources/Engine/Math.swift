// The few libm functions the engine needs, without importing Foundation.
#if canImport(Glibc)
import Glibc
@inline(__always) func _exp(_ x: Float) -> Float { Glibc.expf(x) }
@inline(__always) func _logd(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cosd(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) func _exp(_ x: Float) -> Float { Foundation.expf(x) }
@inline(__always) func _logd(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cosd(_ x: Double) -> Double { Foundation.cos(x) }
#endif
