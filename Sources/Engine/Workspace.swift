/// Scratch memory reused across layer calls: one region per worker per purpose, grown on demand.
/// A network owns one; layers run one at a time, so a single workspace serves them all.
public final class Workspace: @unchecked Sendable {
    private var regions: [String: [Tensor]] = [:]

    public init() {}

    /// `count` floats of scratch for `worker` under `purpose`; contents are unspecified.
    public func scratch(_ purpose: String, worker: Int, count: Int) -> UnsafeMutablePointer<Float> {
        var list = regions[purpose] ?? []
        while list.count <= worker { list.append(Tensor(shape: [0])) }
        if list[worker].count < count { list[worker] = Tensor(shape: [count]) }
        regions[purpose] = list
        return list[worker].data
    }

    /// Prepares scratch for `workers` workers up front, so workers never grow the table concurrently.
    public func reserve(_ purpose: String, workers: Int, count: Int) -> [UnsafeMutablePointer<Float>] {
        (0..<workers).map { scratch(purpose, worker: $0, count: count) }
    }
}
