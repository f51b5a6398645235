import Foundation
import Testing
import TwinMath
import TwinRadio

struct GaussMarkovTests {
    @Test func firstCallDrawsAStandardNormal() {
        var process = GaussMarkovOverDistance()
        #expect(process.value == nil)
        var rng = SeededRandom(seed: 5)
        var twin = rng
        let g = process.advance(distanceMoved: 123, correlationDistance: 10, rng: &rng)
        #expect(g == twin.gaussian())
        #expect(process.value == g)
    }

    @Test func tinyMovesBarelyChangeTheValue() {
        // Δd = 1 mm, d_corr = 10 m: ρ = exp(−1e-4), innovation σ = √(1 − ρ²) = 0.01414.
        var process = GaussMarkovOverDistance()
        var rng = SeededRandom(seed: 6)
        var previous = process.advance(distanceMoved: 0, correlationDistance: 10, rng: &rng)
        for _ in 0..<1000 {
            let g = process.advance(distanceMoved: 1e-3, correlationDistance: 10, rng: &rng)
            #expect(abs(g - previous) < 0.1)
            previous = g
        }
        // Not moving at all keeps the value exactly.
        let still = process.advance(distanceMoved: 0, correlationDistance: 10, rng: &rng)
        #expect(still == previous)
    }

    @Test func lagCorrelationIsExponentialInDistance() {
        // 20,000 steps of 5 m with d_corr 10 m: lag-one correlation exp(−0.5) = 0.60653, lag two
        // exp(−1) = 0.36788. Standard error ≈ (1 − ρ²)/√n < 0.01.
        var process = GaussMarkovOverDistance()
        var rng = SeededRandom(seed: 7)
        let x = (0..<20_000).map { _ in process.advance(distanceMoved: 5, correlationDistance: 10, rng: &rng) }
        #expect(abs(lagCorrelation(x, lag: 1) - 0.60653) < 0.03)
        #expect(abs(lagCorrelation(x, lag: 2) - 0.36788) < 0.03)
        let (mean, variance) = meanAndVariance(x)
        #expect(abs(mean) < 0.05)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func cdfOfTheStateIsUniform() {
        // Steps of 30 m, d_corr 10 m: ρ = e^−3 ≈ 0.05, nearly independent. U(0, 1) has mean 1/2
        // (standard error √(1/12/n) = 0.002) and P(U < 1/4) = 1/4.
        var process = GaussMarkovOverDistance()
        var rng = SeededRandom(seed: 8)
        let u = (0..<20_000).map { _ in
            StandardNormal.cdf(process.advance(distanceMoved: 30, correlationDistance: 10, rng: &rng))
        }
        #expect(abs(u.reduce(0, +) / Double(u.count) - 0.5) < 0.01)
        #expect(abs(Double(u.filter { $0 < 0.25 }.count) / Double(u.count) - 0.25) < 0.015)
    }

    @Test func standardNormalCDFValues() {
        #expect(StandardNormal.cdf(0) == 0.5)
        #expect(close(StandardNormal.cdf(-1), 0.158655254, 1e-9))
        #expect(close(StandardNormal.cdf(1.959963985), 0.975, 1e-9))
        // Far tail: Φ(−8) = 6.2209606e-16, relative accuracy kept (no 1 − x cancellation).
        #expect(abs(StandardNormal.cdf(-8) / 6.2209606e-16 - 1) < 1e-6)
        #expect(StandardNormal.cdf(.nan) == 0.5)
    }

    @Test func codableRoundTrip() throws {
        var process = GaussMarkovOverDistance()
        var rng = SeededRandom(seed: 9)
        _ = process.advance(distanceMoved: 1, correlationDistance: 10, rng: &rng)
        let copy = try JSONDecoder().decode(GaussMarkovOverDistance.self, from: JSONEncoder().encode(process))
        #expect(copy == process)
    }
}

struct LinkLargeScaleStateTests {
    @Test func losFractionMatchesTheProbability() {
        // UMi at d_2D 100 m: Pr_LOS = 0.18 + exp(−100/36) · 0.82 = 0.2309847. With moves of 500 m
        // (10 LOS correlation distances) the draws are independent.
        let model = UMiPropagation()
        let g = LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 100)
        var state = LinkLargeScaleState()
        var rng = SeededRandom(seed: 10)
        var losCount = 0
        var shadowLOS: [Double] = []
        let n = 20_000
        for _ in 0..<n {
            let s = state.advance(geometry: g, carrierFrequency: 3.5e9, model: model, distanceMoved: 500, rng: &rng)
            #expect(s.losProbability == model.losProbability(g))
            #expect(s.pathLoss == model.pathLoss(g, carrierFrequency: 3.5e9, los: s.isLOS))
            if s.isLOS {
                losCount += 1
                shadowLOS.append(s.shadowFadingDb)
            }
        }
        let p = Double(losCount) / Double(n)
        #expect(abs(p - 0.2309847) < 4 * (0.2309847 * 0.7690153 / Double(n)).squareRoot())
        // Shadowing in LOS has σ 4 dB.
        #expect(abs(meanAndVariance(shadowLOS).variance.squareRoot() - 4) < 0.15)
    }

    @Test func stateDoesNotFlickerWhenStandingStill() {
        let model = InFPropagation(subScenario: .dl)
        let g = LinkGeometry(bsHeight: 1.5, utHeight: 1, distance2D: 2)  // Pr_LOS 0.4
        var state = LinkLargeScaleState()
        var rng = SeededRandom(seed: 11)
        let first = state.advance(geometry: g, carrierFrequency: 28e9, model: model, distanceMoved: 0, rng: &rng)
        for _ in 0..<100 {
            let s = state.advance(geometry: g, carrierFrequency: 28e9, model: model, distanceMoved: 0, rng: &rng)
            #expect(s == first)
        }
    }
}
