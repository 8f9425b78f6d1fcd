import Foundation

/// Progress of long work on stderr: done/total, rate, elapsed and ETA, at most about once per second
/// (and always at the end). Silent when `quiet`. One thread reports at a time (a producer thread may report
/// while the consumer waits for it), hence unchecked Sendable.
public final class ProgressMeter: @unchecked Sendable {
    public let label: String
    public let total: Int
    public let unit: String
    public let quiet: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    public private(set) var done = 0
    /// Units done before this process started (a resumed run): counted in done/total, not in the rate and ETA.
    private var doneBefore = 0

    public init(label: String, total: Int, unit: String, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        self.quiet = quiet
    }

    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Advances by `count`; `note` (e.g. the current loss) is appended to the line.
    public func advance(by count: Int = 1, note: @autoclosure () -> String = "") {
        report(done + count, force: false, note: note)
    }

    /// Starts from `count` units done by an earlier process (a resumed run), printing `note`; the rate and ETA count
    /// only the units done from here on.
    public func resume(at count: Int, note: String) {
        done = count
        doneBefore = count
        report(count, force: true, note: { note })
    }

    /// Sets the amount done (work measured from outside, e.g. bytes read so far).
    public func update(to done: Int, note: @autoclosure () -> String = "") {
        report(done, force: false, note: note)
    }

    /// The last line, printed even within a second of the one before.
    public func finish(at done: Int, note: @autoclosure () -> String = "") {
        report(done, force: true, note: note)
    }

    /// A line for a phase without a count (checksumming, a scan).
    public func message(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("\(label): \(text)\n".utf8))
    }

    private func report(_ newDone: Int, force: Bool, note: () -> String) {
        let reachesTotal = newDone >= total && done < total
        done = newDone
        guard !quiet else { return }
        let now = Date()
        guard force || reachesTotal || now.timeIntervalSince(lastPrint) >= 1 else { return }
        lastPrint = now
        FileHandle.standardError.write(Data((line(elapsed: elapsed, note: note()) + "\n").utf8))
    }

    /// The progress line after `elapsed` seconds of this process.
    func line(elapsed t: Double, note extra: String) -> String {
        let rate = t > 0 ? Double(done - doneBefore) / t : 0
        let eta = rate > 0 ? ProgressMeter.clock(Double(max(total - done, 0)) / rate) : done >= total ? ProgressMeter.clock(0) : "-"
        // Slow units (epochs) read better as seconds per unit.
        let single = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        let speed = rate >= 1 || rate == 0 ? String(format: "%.1f %@/s", rate, unit) : String(format: "%.1f s per %@", 1 / rate, single)
        return String(format: "%@: %d/%d %@, %@, elapsed %@, ETA %@%@", label, done, total, unit, speed,
                      ProgressMeter.clock(t), eta, extra.isEmpty ? "" : ", " + extra)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
