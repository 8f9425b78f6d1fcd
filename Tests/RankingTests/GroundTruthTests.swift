import Testing
import Ranking
import SearchSpace

/// Facts about NAS-Bench-201's own rankings that any correct tau reproduces.
@Suite(.enabled(if: GroundTruth.isPresent, "needs \(GroundTruth.path.path) (../shared)"))
struct GroundTruthTests {
    @Test func cifar10AndCifar100AgreeWithTau0882() throws {
        let c = try GroundTruth.columns(["cifar10_test_hp200_avg", "cifar100_xtest_hp200_avg"])
        #expect(c[0].count == 15_625)
        let tau = try kendallTau(c[0], c[1]).statistic
        #expect((tau * 1000).rounded() / 1000 == 0.882, "tau-b = \(tau)")
    }

    /// Parameter count alone ranks CIFAR-10 accuracy with tau about 0.6 (KSHOT.md's reference point).
    @Test func parameterCountRanksCifar10WithTauAboutPointSix() throws {
        let accuracy = try GroundTruth.columns(["cifar10_test_hp200_avg"])[0]
        let parameters = try GroundTruth.textColumn("arch_str").map { arch in
            Double(Cost(cell: try Cell(archString: arch), shape: NetworkShape()).parameters)
        }
        let tau = try kendallTau(parameters, accuracy).statistic
        #expect(tau > 0.55 && tau < 0.65, "tau-b(params, cifar10 test) = \(tau)")
    }
}
