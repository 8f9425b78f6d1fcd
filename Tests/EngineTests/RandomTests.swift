import Support
import Testing
@testable import Engine

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
    }

    @Test func forksAreIndependentAndStable() {
        let root = SeededRandom(seed: 7)
        var f1 = root.fork("init"), f2 = root.fork("init"), g = root.fork("augment")
        let x = f1.next()
        #expect(x == f2.next())
        #expect(x != g.next())
    }

    @Test func uniformAndGaussianMoments() {
        var r = SeededRandom(seed: 1)
        let n = 200_000
        var su = 0.0, sg = 0.0, sg2 = 0.0
        for _ in 0..<n {
            let u = r.nextFloat()
            #expect(u >= 0 && u < 1)
            su += Double(u)
            let g = Double(r.nextGaussian())
            sg += g; sg2 += g * g
        }
        #expect(abs(su / Double(n) - 0.5) < 0.005)
        #expect(abs(sg / Double(n)) < 0.01)
        #expect(abs(sg2 / Double(n) - 1) < 0.02)
    }

    @Test func sampleGivesDistinctIndices() {
        var r = SeededRandom(seed: 3)
        let s = r.sample(500, from: 6466)
        #expect(Set(s).count == 500 && s.allSatisfy { (0..<6466).contains($0) })
        var a = Array(0..<10)
        r.shuffle(&a)
        #expect(a.sorted() == Array(0..<10))
    }
}
