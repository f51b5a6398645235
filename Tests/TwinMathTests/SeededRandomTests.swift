import Foundation
import Testing
import TwinMath

private func draws(_ rng: inout SeededRandom, _ count: Int) -> [UInt64] {
    (0..<count).map { _ in rng.next() }
}

/// Sample mean and (unbiased) sample variance.
private func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, variance)
}

struct SeededRandomTests {
    @Test func sameSeedGivesSameSequence() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42)
        #expect(draws(&a, 1000) == draws(&b, 1000))
        var c = SeededRandom(seed: 43)
        var d = SeededRandom(seed: 42)
        #expect(draws(&c, 10) != draws(&d, 10))
    }

    @Test func substreamDoesNotDependOnParentDraws() {
        var parent = SeededRandom(seed: 7)
        var before = parent.substream("mover/agv-3")
        var beforeIndexed = parent.substream(3)
        _ = draws(&parent, 123)
        _ = parent.gaussian()
        var after = parent.substream("mover/agv-3")
        var afterIndexed = parent.substream(3)
        #expect(draws(&before, 100) == draws(&after, 100))
        #expect(draws(&beforeIndexed, 100) == draws(&afterIndexed, 100))
    }

    @Test func differentNamesGiveDifferentStreams() {
        let root = SeededRandom(seed: 7)
        var a = root.substream("a"), b = root.substream("b")
        var zero = root.substream(0), one = root.substream(1)
        var parent = root
        let sequences = [draws(&a, 8), draws(&b, 8), draws(&zero, 8), draws(&one, 8), draws(&parent, 8)]
        #expect(Set(sequences).count == sequences.count)
        #expect(Set([root.key, a.key, b.key, zero.key, one.key]).count == 5)
        // Same name under different roots differs too.
        var other = SeededRandom(seed: 8).substream("a")
        var again = root.substream("a")
        #expect(draws(&other, 8) != draws(&again, 8))
    }

    @Test func uniformMomentsMatchTheory() {
        // U(0,1): mean 1/2, variance 1/12. Standard errors: √(1/12/n) for the mean and
        // √((μ₄ − σ⁴)/n) = √(1/180/n) for the variance (μ₄ = 1/80, σ⁴ = 1/144).
        var rng = SeededRandom(seed: 1)
        let n = 100_000
        let values = (0..<n).map { _ in rng.uniform() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let (mean, variance) = meanAndVariance(values)
        #expect(abs(mean - 0.5) < 4 * (1.0 / 12 / Double(n)).squareRoot())
        #expect(abs(variance - 1.0 / 12) < 4 * (1.0 / 180 / Double(n)).squareRoot())
    }

    @Test func gaussianMomentsMatchTheory() {
        // N(0,1): mean 0 with standard error 1/√n; variance 1 with standard error √(2/n).
        var rng = SeededRandom(seed: 2)
        let n = 200_000
        let values = (0..<n).map { _ in rng.gaussian() }
        let (mean, variance) = meanAndVariance(values)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot())
    }

    @Test func codableRoundTripResumesTheExactSequence() throws {
        var original = SeededRandom(seed: 99).substream("sensor")
        _ = draws(&original, 17)
        _ = original.gaussian()  // mid-stream
        let data = try JSONEncoder().encode(original)
        var restored = try JSONDecoder().decode(SeededRandom.self, from: data)
        #expect(restored == original)
        #expect(restored.gaussian() == original.gaussian())
        #expect(draws(&restored, 50) == draws(&original, 50))
        #expect((0..<20).map { _ in restored.gaussian() } == (0..<20).map { _ in original.gaussian() })
        #expect(restored.substream("x") == original.substream("x"))
    }

    @Test func gaussianTailsMatchTheNormalDistribution() {
        // Fractions beyond ±1, ±2, ±3.5 (the last lies beyond the ziggurat's base r = 3.44,
        // so it exercises the tail algorithm): 2Φ(−a) = 0.317311, 0.0455003, 0.000465258.
        var rng = SeededRandom(seed: 99)
        let n = 2_000_000
        var beyond = [0, 0, 0]
        let limits = [1.0, 2.0, 3.5]
        for _ in 0..<n {
            let x = abs(rng.gaussian())
            for k in 0..<3 where x > limits[k] { beyond[k] += 1 }
        }
        for (k, p) in [0.317311, 0.0455003, 0.000465258].enumerated() {
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(beyond[k]) - Double(n) * p) < 5 * sigma, "beyond \(limits[k]): \(beyond[k])")
        }
    }
}
