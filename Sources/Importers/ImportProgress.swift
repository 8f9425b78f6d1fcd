import Foundation

/// Progress of a long import on stderr, at most about once a second: done / total, rate and ETA.
/// Counts architectures, or megabytes of a large file (then `detail` adds the architectures so far).
final class ImportProgress: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast

    init(label: String, total: Int, unit: String = "architectures", enabled: Bool) {
        self.label = label
        self.unit = unit
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int, detail: String = "", force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastPrint) >= 1 else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(max(total - done, 0)) / rate : 0
        let line = String(format: "\r%@: %d/%d %@%@, %.0f/s, ETA %.0f s   ", label, done, total, unit, detail, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A one-line message for a phase without a count (checksumming, the memo scan).
    func phase(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\(label): \(text)\n".utf8))
    }

    func end(_ done: Int, detail: String = "") {
        guard enabled else { return }
        update(done, detail: detail, force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
