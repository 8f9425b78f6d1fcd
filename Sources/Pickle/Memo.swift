/// The unpickler's memo: slot number -> value. When every value is kept, slots written in order (MEMOIZE, or
/// BINPUT counting up) live in an array; other slots, and all slots when the memo only keeps values still to be
/// read, live in a dictionary, so neither a corrupt slot number nor sparse survivors make the array huge.
struct Memo {
    private let useArray: Bool
    private var dense: [PickleValue?] = []
    private var sparse: [Int: PickleValue] = [:]
    private(set) var liveCount = 0

    init(useArray: Bool) { self.useArray = useArray }

    subscript(slot: Int) -> PickleValue? {
        get { slot < dense.count ? dense[slot] : sparse[slot] }
        set {
            if slot < dense.count {
                liveCount += (newValue == nil ? 0 : 1) - (dense[slot] == nil ? 0 : 1)
                dense[slot] = newValue
            } else if useArray, slot <= dense.count + 1024, let newValue {
                if !sparse.isEmpty, sparse.removeValue(forKey: slot) != nil { liveCount -= 1 }
                let start = dense.count
                dense.append(contentsOf: repeatElement(nil, count: slot - start))
                if !sparse.isEmpty { // the array now covers these slots: move their values over
                    for s in start..<slot { dense[s] = sparse.removeValue(forKey: s) }
                }
                dense.append(newValue)
                liveCount += 1
            } else {
                liveCount += (newValue == nil ? 0 : 1) - (sparse[slot] == nil ? 0 : 1)
                sparse[slot] = newValue
            }
        }
    }
}
