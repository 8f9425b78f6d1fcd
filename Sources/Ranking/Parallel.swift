import Support

/// Below this many items, splitting work over threads costs more than it saves.
let parallelThreshold = 4096

/// The results of two independent computations, on two threads when `inParallel` (the second on a
/// `ForkJoin` helper, which starts at once where a sleeping dispatch worker took ~50 us to wake).
func bothOf<A, B>(_ a: () -> A, _ b: () -> B, inParallel: Bool) -> (A, B) {
    guard inParallel else { return (a(), b()) }
    var resultA: A?, resultB: B?
    withUnsafeMutablePointer(to: &resultA) { ra in
        withUnsafeMutablePointer(to: &resultB) { rb in
            ForkJoin.shared.forEach(2) { i in
                if i == 0 { ra.pointee = a() } else { rb.pointee = b() }
            }
        }
    }
    return (resultA!, resultB!)
}
