import Dispatch

/// Below this many items, splitting work over threads costs more than it saves.
let parallelThreshold = 4096

/// The results of two independent computations, on two threads when `inParallel`.
func bothOf<A, B>(_ a: () -> A, _ b: () -> B, inParallel: Bool) -> (A, B) {
    guard inParallel else { return (a(), b()) }
    var resultA: A?, resultB: B?
    withoutActuallyEscaping(a) { a in
        withoutActuallyEscaping(b) { b in
            nonisolated(unsafe) let (a, b) = (a, b)
            withUnsafeMutablePointer(to: &resultA) { ra in
                withUnsafeMutablePointer(to: &resultB) { rb in
                    nonisolated(unsafe) let (ra, rb) = (ra, rb)
                    DispatchQueue.concurrentPerform(iterations: 2) { i in
                        if i == 0 { ra.pointee = a() } else { rb.pointee = b() }
                    }
                }
            }
        }
    }
    return (resultA!, resultB!)
}
