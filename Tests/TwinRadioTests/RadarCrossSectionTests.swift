import Foundation
import Testing
import TwinMath
import TwinRadio
import TwinWorld

struct RadarCrossSectionTests {
    @Test func rel19Table() {
        func p(_ c: MoverClass, _ s: UAVSize? = nil) -> [Double] {
            let r = RCSModel.parameters(for: c, uavSize: s)
            return [r.meanDbsm, r.spreadDb]
        }
        #expect(p(.uav, .small) == [-12.81, 3.74])
        #expect(p(.uav, .large) == [-5.85, 2.50])
        #expect(p(.uav) == [-12.81, 3.74])  // unknown size: small
        #expect(p(.person) == [-1.37, 3.94])
        #expect(p(.vehicle) == [11.25, 3.41])
        #expect(p(.agv) == [-4.25, 2.51])
    }

    @Test func marginalIsTheClassLogNormal() {
        // Steps of 5 τ: ρ = e^−5 = 0.0067, nearly independent samples.
        var process = RCSProcess(moverClass: .vehicle, correlationTime: 0.2)
        var rng = SeededRandom(seed: 11)
        let n = 20_000
        let x = (0..<n).map { _ in process.next(dt: 1.0, rng: &rng) }
        let (mean, variance) = meanAndVariance(x)
        #expect(abs(mean - 11.25) < 4 * 3.41 / Double(n).squareRoot())
        #expect(abs(variance.squareRoot() - 3.41) < 0.06)
    }

    @Test func consecutiveFramesAreCorrelated() {
        // dt = τ/2: lag-one correlation exp(−0.5) = 0.60653.
        var process = RCSProcess(meanDbsm: 0, spreadDb: 2, correlationTime: 1)
        var rng = SeededRandom(seed: 12)
        let x = (0..<20_000).map { _ in process.next(dt: 0.5, rng: &rng) }
        #expect(abs(lagCorrelation(x, lag: 1) - 0.60653) < 0.03)
    }

    @Test func codableRoundTripResumesTheSameSequence() throws {
        var process = RCSProcess(moverClass: .person, correlationTime: 1)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<10 { _ = process.next(dt: 0.1, rng: &rng) }
        var copy = try JSONDecoder().decode(RCSProcess.self, from: JSONEncoder().encode(process))
        var rngCopy = rng
        #expect(copy == process)
        for _ in 0..<10 { #expect(process.next(dt: 0.1, rng: &rng) == copy.next(dt: 0.1, rng: &rngCopy)) }
    }
}
