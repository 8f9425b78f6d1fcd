import Testing
@testable import Support

@Suite struct ProgressTests {
    /// A resumed run's rate and ETA count only the work of this process: 12 of 15 epochs done before, 1 in the 10 s
    /// since, leaves 2 epochs at 10 s each (not 15 epochs in 10 s and an ETA of under 2 s).
    @Test func resumedWorkIsLeftOutOfTheRateAndETA() {
        let meter = ProgressMeter(label: "supernet", total: 15, unit: "epochs", quiet: true)
        meter.resume(at: 12, note: "resumed")
        #expect(meter.line(elapsed: 0.001, note: "") == "supernet: 12/15 epochs, 0.0 epochs/s, elapsed 0m00s, ETA -")
        meter.advance()
        #expect(meter.line(elapsed: 10, note: "loss 1.0") == "supernet: 13/15 epochs, 10.0 s per epoch, elapsed 0m10s, ETA 0m20s, loss 1.0")
        // A run resumed when already finished: no rate to speak of, nothing left.
        let finished = ProgressMeter(label: "supernet", total: 15, unit: "epochs", quiet: true)
        finished.resume(at: 15, note: "resumed")
        #expect(finished.line(elapsed: 0.0001, note: "") == "supernet: 15/15 epochs, 0.0 epochs/s, elapsed 0m00s, ETA 0m00s")
    }
}
