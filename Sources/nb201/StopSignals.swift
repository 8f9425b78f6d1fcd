import ArgumentParser
import Foundation
import Support
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM ask a long command to stop at its next safe point (a batch, a path, an architecture):
/// the work done so far is saved, the command says what it kept and exits with 128 + the signal (130 for SIGINT,
/// 143 for SIGTERM), as a shell reports a process the signal ended. A second signal exits at once with the same code:
/// what was saved is kept (checkpoints, estimates), the work since the last save is lost. The library layers only ask
/// `shouldStop`.
final class StopSignals: Sendable {
    /// Installed on first use, for the life of the process (before it, the default action ends the process).
    static let shared = StopSignals()

    private let received = Atomic<Int32>(0)
    /// The signal sources, kept for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    private init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let name = number == SIGINT ? "Ctrl-C" : "SIGTERM"
                // Two signals may arrive as one event (data counts them).
                if received.exchange(number, ordering: .relaxed) != 0 || source.data > 1 {
                    FileHandle.standardError.write(Data("\n\(name) again: exiting now; what was saved is kept, the work since the last save is lost\n".utf8))
                    _exit(128 + number)
                }
                FileHandle.standardError.write(Data("\n\(name): stopping at the next batch or path and keeping everything done so far; press Ctrl-C again to exit at once (loses the work since the last save)\n".utf8))
            }
            source.resume()
            StopSignals.sources.append(source)
        }
    }

    var raised: Bool { received.load(ordering: .relaxed) != 0 }

    /// 128 + the signal received: interrupted (130, SIGINT) or terminated (143, SIGTERM).
    var exitStatus: ExitStatus { received.load(ordering: .relaxed) == SIGTERM ? .terminated : .interrupted }
}

/// Runs a long command's body with Ctrl-C and SIGTERM turned into its `shouldStop`. When the body stops (throws
/// `WorkStopped`), says what was kept and how to continue, and exits 130 (SIGINT) or 143 (SIGTERM).
func stoppingOnSignals<Result>(_ body: (_ shouldStop: @escaping @Sendable () -> Bool) throws -> Result) throws -> Result {
    let signals = StopSignals.shared
    do {
        return try body { signals.raised }
    } catch let stopped as WorkStopped {
        FileHandle.standardError.write(Data("interrupted: kept \(stopped.kept); run the same command again to resume\n".utf8))
        throw (signals.raised ? signals.exitStatus : .interrupted).code
    }
}
