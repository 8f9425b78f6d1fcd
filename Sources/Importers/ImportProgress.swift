import Foundation

/// Progress of a long import on stderr, at most about once a second: done / total, rate and ETA.
final class ImportProgress {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast

    init(label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastPrint) >= 1 else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(max(total - done, 0)) / rate : 0
        let line = String(format: "\r%@: %d/%d architectures, %.0f/s, ETA %.0f s   ", label, done, total, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func end(_ done: Int) {
        guard enabled else { return }
        update(done, force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
