import Foundation

/// Progress of long work on stderr: done/total, rate, elapsed and ETA, at most about once per second
/// (and always at the end). Silent when `quiet`.
public final class ProgressMeter {
    public let label: String
    public let total: Int
    public let unit: String
    public let quiet: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    public private(set) var done = 0

    public init(label: String, total: Int, unit: String, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        self.quiet = quiet
    }

    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Advances by `count`; `note` (e.g. the current loss) is appended to the line.
    public func advance(by count: Int = 1, note: @autoclosure () -> String = "") {
        done += count
        guard !quiet else { return }
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= 1 || done >= total else { return }
        lastPrint = now
        let t = elapsed
        let rate = t > 0 ? Double(done) / t : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let extra = note()
        // Slow units (epochs) read better as seconds per unit.
        let single = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        let speed = rate >= 1 || rate == 0 ? String(format: "%.1f %@/s", rate, unit) : String(format: "%.1f s per %@", 1 / rate, single)
        let line = String(format: "%@: %d/%d %@, %@, elapsed %@, ETA %@%@", label, done, total, unit, speed,
                          ProgressMeter.clock(t), ProgressMeter.clock(eta), extra.isEmpty ? "" : ", " + extra)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
