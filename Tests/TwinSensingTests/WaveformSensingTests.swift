import Foundation
import RealModule
import Testing
import TwinMath
import TwinRadio
import TwinWorld

@testable import TwinSensing

/// Waveform fidelity inside the sensing engine.
@Suite struct WaveformSensingTests {
    /// Two TRPs 20 m apart (a at (10, 10, 6), b at (30, 10, 6)), the UAV at (20, 10, 4).
    static let baseline = 20.0
    static let targetPath = 2 * (100.0 + 4).squareRoot()  // 2 × √(10² + 2²) = 20.396 m

    @Test func directAndTargetPathsAreMeasuredWithinAFractionOfTheResolution() throws {
        // The hovering UAV's bistatic path (20.396 m) is within one resolution cell (0.75 m) of
        // the direct path: unresolved, it is not reported. A second UAV flies along y = 4 at
        // 3 m/s, 5–20 m beyond the baseline: resolved, measured to a tenth of a cell.
        let flyer = "  - {name: runner, class: uav, speed: 3, repeat: false, waypoints: [[12, 4, 3], [38, 4, 3]]}"
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: trp-trp, fidelity: waveform, nlosProbability: 0, stoMaxNs: 40", extraMovers: flyer))
        let resolution = c / (834 * 4 * 120e3)
        var directs = 0, targets = 0
        var previous: [Int: Double] = [:]
        for _ in 0..<5 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) {
                let snr = Double.exp10(m.snrDb / 10)
                // Variances: the abstract fidelity's bounds (B = 400 MHz) at the estimated SNR, the
                // path length's plus the floor (0.07 resolution cells)².
                let floor = (0.07 * resolution) * (0.07 * resolution)
                #expect(abs(m.rangeVariance / (CramerRao.pathLengthVariance(bandwidth: 400e6, snr: snr) + floor) - 1) < 1e-9)
                #expect(m.rangeVariance > floor)
                switch t.pathType {
                case .direct:
                    directs += 1
                    // Ranges keep the clock offset: the truth is baseline + c·δ, and δ ≠ 0 here.
                    #expect(abs(t.trueRange - Self.baseline) > 1e-3)
                    #expect(abs(m.range - t.trueRange) < 0.01 * resolution)
                case .target:
                    #expect(t.moverId == 1)
                    targets += 1
                    #expect(abs(m.range - t.trueRange) < 0.1 * resolution)
                    // Rate against the finite difference of the true path length.
                    if let p = previous[m.linkId] { #expect(abs(m.rangeRate - (t.trueRange - p) / 0.1) < 0.3) }
                    previous[m.linkId] = t.trueRange
                case .clutter: break
                default: Issue.record("unexpected \(t.pathType)")
                }
            }
        }
        // Two links (a→b, b→a), five frames: every direct path and every resolved echo.
        #expect(directs == 10)
        #expect(targets == 10)
    }

    @Test func theOffsetIsTheDirectPathsExcessOnBothLinks() throws {
        // δ(a→b) = −δ(b→a): the two links' direct paths sit symmetrically about the baseline.
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: trp-trp, fidelity: waveform, nlosProbability: 0, stoMaxNs: 40"))
        let (obs, truth) = sensing.observe(world.step(dt: 0.1))
        let excess = zip(obs.measurements, truth.labels).filter { $0.1.pathType == .direct }.sorted { $0.0.linkId < $1.0.linkId }
            .map { $0.0.range - Self.baseline }
        #expect(excess.count == 2)
        #expect(abs(excess[0] + excess[1]) < 0.005)
        #expect(abs(excess[0]) > 0.01)
    }

    @Test func sameSeedSameObservationsWithWaveformFidelity() throws {
        let spec = try WorldSpec.decode(
            yaml: try String(contentsOf: packageRoot.appendingPathComponent("worlds/factory.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "  mode: monostatic", with: "  mode: trp-trp\n  fidelity: {trp-trp: waveform}\n  stoMaxNs: 30"),
            file: "factory.yaml")
        #expect(spec.sensing.fidelity.trpTrp == "waveform")
        func run() throws -> [FrameObservations] {
            var world = try World(spec: spec)
            var sensing = SensingEngine(world: spec, movers: world.movers)
            return (0..<3).map { _ in sensing.observe(world.step(dt: 0.1)).0 }
        }
        let a = try run(), b = try run()
        #expect(a == b)
        #expect(a.allSatisfy { !$0.measurements.isEmpty })
        #expect(a.allSatisfy { $0.measurements.allSatisfy { $0.range.isFinite && $0.rangeVariance > 0 && $0.snrDb.isFinite } })
    }

    @Test func aRestoredEngineContinuesBitForBit() throws {
        // The processors and buffers are scratch, rebuilt from the world; the random streams
        // are in the checkpoint: a restored engine observes exactly what the original does.
        let flyer = "  - {name: runner, class: uav, speed: 3, repeat: false, waypoints: [[12, 4, 3], [38, 4, 3]]}"
        let yaml = hoverWorld(sensing: "mode: trp-trp, fidelity: waveform, stoMaxNs: 40", extraMovers: flyer)
        var (world, sensing) = try engine(yaml)
        for _ in 0..<3 { _ = sensing.observe(world.step(dt: 0.1)) }
        let checkpoint = try CheckpointCoding.decode(
            SensingCheckpoint.self, from: try CheckpointCoding.encode(sensing.checkpoint()))
        let worldCheckpoint = try CheckpointCoding.decode(
            WorldCheckpoint.self, from: try CheckpointCoding.encode(world.checkpoint()))
        var (resumedWorld, resumed) = try engine(yaml)
        try resumedWorld.restore(worldCheckpoint)
        try resumed.restore(checkpoint)
        var compared = 0
        for _ in 0..<3 {
            let a = sensing.observe(world.step(dt: 0.1)), b = resumed.observe(resumedWorld.step(dt: 0.1))
            #expect(a.0 == b.0)
            #expect(a.1 == b.1)
            compared += a.0.measurements.count
        }
        #expect(compared > 0)
    }

    @Test func onlyTheChosenLinkClassChanges() throws {
        // Hybrid mode with waveform on trp-trp only: trp-ue links still draw (their clutter too).
        let yaml = hoverWorld(
            sensing: "mode: trp-trp, fidelity: {trp-ue: waveform}, nlosProbability: 0, clutterRate: 0")
        var (w1, abstract) = try engine(hoverWorld(sensing: "mode: trp-trp, nlosProbability: 0, clutterRate: 0"))
        var (w2, mixed) = try engine(yaml)
        // No trp-ue link in trp-trp mode: the two engines agree draw for draw.
        for _ in 0..<3 { #expect(abstract.observe(w1.step(dt: 0.1)).0 == mixed.observe(w2.step(dt: 0.1)).0) }
    }

    @Test func musicAnglesPointAtThePathsWithTheExactBound() throws {
        // a (10, 10, 6) → b (30, 10, 6) and back, a flyer along y = 4: every direct path and
        // resolved echo gets MUSIC angles (16 × 8 arrays) within 5σ of its true arrival, with
        // the variances 6/(SNR̂·(m² − 1)) at the estimated SNR (no floor here); nothing NaN.
        let flyer = "  - {name: runner, class: uav, speed: 3, repeat: false, waypoints: [[12, 4, 3], [38, 4, 3]]}"
        let yaml = hoverWorld(
            sensing: "mode: trp-trp, fidelity: waveform, nlosProbability: 0, stoMaxNs: 40, waveform: {angles: music, angleErrorFloor: 0}",
            extraMovers: flyer)
        var (world, sensing) = try engine(yaml)
        var (again, same) = try engine(yaml)
        var checked = 0
        for _ in 0..<5 {
            let snapshot = world.step(dt: 0.1)
            let (obs, truth) = sensing.observe(snapshot)
            #expect(same.observe(again.step(dt: 0.1)).0 == obs)  // same seed, same observations
            for (m, t) in zip(obs.measurements, truth.labels) {
                let snr = Double.exp10(m.snrDb / 10)
                let az = try #require(m.aoaAzimuth), azVar = try #require(m.aoaAzimuthVariance)
                let el = try #require(m.aoaElevation), elVar = try #require(m.aoaElevationVariance)
                #expect(az.isFinite && el.isFinite)
                #expect(abs(azVar / AxisMUSIC.bound(elements: 16, snr: snr) - 1) < 1e-9)
                #expect(abs(elVar / AxisMUSIC.bound(elements: 8, snr: snr) - 1) < 1e-9)
                // The receiver: b (x = 30) when a transmits, else a (x = 10).
                let fromA: Bool = if case .baseStation(0) = t.transmitter { true } else { false }
                let rx = fromA ? Vec3(30, 10, 6) : Vec3(10, 10, 6)
                let tx = fromA ? Vec3(10, 10, 6) : Vec3(30, 10, 6)
                let toward: Vec3
                switch t.pathType {
                case .direct: toward = tx
                case .target: toward = snapshot.movers[1].position
                default: continue
                }
                let d = toward - rx
                let trueAz = Double.atan2(y: d.y, x: d.x)
                let trueEl = Double.atan2(y: d.z, x: (d.x * d.x + d.y * d.y).squareRoot())
                #expect(abs(wrapAngle(az - trueAz)) < 5 * azVar.squareRoot(), "\(t.pathType) azimuth \(az) vs \(trueAz)")
                // The hovering drone's echo is unresolved inside the direct path's cell (a path
                // 0.4 m longer, ≈ 80 dB weaker, 11° below): it blends into the direct path's
                // snapshots and biases its elevation by up to ≈ 5e-5 rad — interference the bound
                // ignores (its σ is ≈ 1e-6 rad there), as for path lengths (`rangeErrorFloor`).
                let allowance = t.pathType == .direct ? 1e-4 : 0
                #expect(abs(el - trueEl) < 5 * elVar.squareRoot() + allowance, "\(t.pathType) elevation \(el) vs \(trueEl)")
                checked += 1
            }
        }
        #expect(checked == 20)
    }

    @Test func theAngleFloorIsAddedToTheBound() throws {
        // Default angleErrorFloor 0.01 Rayleigh widths: variance = bound + (0.01·2π/m)².
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: trp-trp, fidelity: waveform, nlosProbability: 0, stoMaxNs: 40, waveform: {angles: music}"))
        let (obs, _) = sensing.observe(world.step(dt: 0.1))
        #expect(!obs.measurements.isEmpty)
        for m in obs.measurements {
            let snr = Double.exp10(m.snrDb / 10)
            let az = 0.01 * 2 * Double.pi / 16, el = 0.01 * 2 * Double.pi / 8
            #expect(abs(try #require(m.aoaAzimuthVariance) / (AxisMUSIC.bound(elements: 16, snr: snr) + az * az) - 1) < 1e-9)
            #expect(abs(try #require(m.aoaElevationVariance) / (AxisMUSIC.bound(elements: 8, snr: snr) + el * el) - 1) < 1e-9)
        }
    }

    @Test func theAnglesKeyLeavesAbstractLinksAlone() throws {
        // Both settings of `angles` on an abstract world: the same observations, draw for draw.
        let base = "mode: trp-trp, nlosProbability: 0.2"
        var (w1, music) = try engine(hoverWorld(sensing: base + ", waveform: {angles: music}"))
        var (w2, crlb) = try engine(hoverWorld(sensing: base + ", waveform: {angles: crlb}"))
        for _ in 0..<3 { #expect(music.observe(w1.step(dt: 0.1)).0 == crlb.observe(w2.step(dt: 0.1)).0) }
    }

    @Test func crlbAnglesAreDrawnAroundTheTruthWithTheAbstractBound() throws {
        // `angles: crlb` (the default): the abstract fidelity's variance 6/(m³·SNR̂), as before.
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: trp-trp, fidelity: waveform, nlosProbability: 0, stoMaxNs: 40"))
        let (obs, _) = sensing.observe(world.step(dt: 0.1))
        #expect(!obs.measurements.isEmpty)
        for m in obs.measurements {
            let snr = Double.exp10(m.snrDb / 10)
            #expect(abs(try #require(m.aoaAzimuthVariance) / CramerRao.angleVariance(elements: 16, snr: snr) - 1) < 1e-9)
            #expect(abs(try #require(m.aoaElevationVariance) / CramerRao.angleVariance(elements: 8, snr: snr) - 1) < 1e-9)
        }
    }
}
