import Foundation
import RealModule
import Testing
import TwinMath
import TwinRadio
import TwinWorld

@testable import TwinSensing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let c = 299_792_458.0

/// A 40 × 20 m hall with two TRPs and a UAV hovering at (20, 10, 4).
func hoverWorld(sensing: String, extraMovers: String = "", obstacles: String = "", bs: String = "") -> String {
    """
    simulation: {dt: 0.1, duration: 1, seed: 5}
    map:
      factory:
        size: [40, 20]
        ceiling: 8
        scenario: InF-SL
        obstacles: [\(obstacles)]
    infrastructure:
      baseStations:
        - {name: a, position: [10, 10, 6]\(bs)}
        - {name: b, position: [30, 10, 6]}
    movers:
      - {name: drone, class: uav, waypoints: [[20, 10, 4]]}
    \(extraMovers)
    sensing: {\(sensing)}
    """
}

func engine(_ yaml: String, mode: SensingMode? = nil) throws -> (World, SensingEngine) {
    let spec = try WorldSpec.decode(yaml: yaml, file: "t.yaml")
    let world = try World(spec: spec)
    return (world, SensingEngine(world: spec, movers: world.movers, mode: mode))
}

struct SensingTests {
    @Test func errorsFollowTheCramerRaoBound() throws {
        // 10,000 frames of one fixed monostatic link: each measured value minus the truth,
        // divided by the standard deviation the engine reports, must have variance 1; and the
        // reported variances must be the CRLB formulas at the reported SNR.
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: monostatic, nlosProbability: 0, clutterRate: 0"))
        let bs = Vec3(10, 10, 6), target = Vec3(20, 10, 4)
        let d = bs.distance(to: target)
        var z: [String: [Double]] = [:]
        for _ in 0..<10_000 {
            let snap = world.step(dt: 0.1)
            let (obs, truth) = sensing.observe(snap)
            for (m, t) in zip(obs.measurements, truth.labels) where m.linkId == 0 && t.pathType == .target {
                #expect(abs(t.trueRange - d) < 1e-12)
                let snr = Double.exp10(m.snrDb / 10)
                // Monostatic range d = path/2: var = 3c²/(4π²B²·SNR) / 4 with B = 400 MHz.
                let rangeVar = 3 * c * c / (4 * .pi * .pi * 400e6 * 400e6 * snr) / 4
                #expect(abs(m.rangeVariance / rangeVar - 1) < 1e-12)
                // Azimuth with 16 horizontal elements: 6 / (16³ · SNR).
                #expect(abs(m.aoaAzimuthVariance! / (6 / (4096 * snr)) - 1) < 1e-12)
                z["range", default: []].append((m.range - d) / m.rangeVariance.squareRoot())
                z["azimuth", default: []].append(((m.aoaAzimuth! - (target - bs).azimuth)) / m.aoaAzimuthVariance!.squareRoot())
                z["elevation", default: []].append((m.aoaElevation! - (target - bs).elevation) / m.aoaElevationVariance!.squareRoot())
                z["rate", default: []].append(m.rangeRate / m.rangeRateVariance.squareRoot())
            }
        }
        #expect(z["range"]?.count == 10_000)
        for (name, values) in z {
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
            // Sample variance of 10,000 normals: relative standard error √(2/n) = 1.4 %.
            #expect(abs(variance - 1) < 0.05, "\(name): variance \(variance)")
            #expect(abs(mean) < 4 / n.squareRoot(), "\(name): mean \(mean)")
        }
    }

    @Test func rangeRateMatchesTheChangeOfTheTrueRange() throws {
        // A second UAV flies along x at 3 m/s; the monostatic range rate of its echo must match
        // the finite difference of its true ranges (no clock offsets on a monostatic link).
        let flyer = "  - {name: runner, class: uav, speed: 3, repeat: false, waypoints: [[12, 4, 3], [38, 4, 3]]}"
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: monostatic, nlosProbability: 0, clutterRate: 0", extraMovers: flyer))
        var previous: Double?
        var checked = 0
        for _ in 0..<60 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            guard let k = truth.labels.indices.first(where: { truth.labels[$0].moverId == 1 && obs.measurements[$0].linkId == 0 }) else {
                continue
            }
            let now = truth.labels[k].trueRange
            if let previous {
                let finiteDifference = (now - previous) / 0.1
                // The range is convex in time, so the difference lies between the rates at both ends: allow 0.05 m/s.
                #expect(
                    abs(obs.measurements[k].rangeRate - finiteDifference) < 0.05 + 6 * obs.measurements[k].rangeRateVariance.squareRoot())
                checked += 1
            }
            previous = now
        }
        #expect(checked > 50)
    }

    @Test func linkBudgetConstantMatchesTheRadarEquationByHand() throws {
        let (_, sensing) = try engine(hoverWorld(sensing: "mode: monostatic"))
        let k = LinkConstants(
            link: sensing.links[0], world: try WorldSpec.decode(yaml: hoverWorld(sensing: "mode: monostatic"), file: "t"),
            sensing: sensing.spec, txAnchor: 0, rxAnchor: 0)
        // Micro defaults: 30 dBm, 16 × 8 array (21.07 dB each way), 28 GHz, 400 MHz, 120 kHz, NF 7 dB.
        let gains = 2 * 10 * log10(128.0)
        let noise = 10 * log10(1.380649e-23 * 290 * 400e6) + 30 + 7
        let integration = 10 * log10(Double(3333 * 14))
        let lambda = c / 28e9
        let expected = 30 + gains + 10 * log10(4 * .pi / (lambda * lambda)) - noise + integration
        #expect(abs(k.echoConstantDb - expected) < 1e-9)
        #expect(abs(k.directConstantDb - (30 + gains - noise + integration)) < 1e-9)
    }

    @Test func modesMakeTheDocumentedLinks() throws {
        let spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        let world = try World(spec: spec)
        let counts = SensingMode.allCases.map { SensingEngine(world: spec, movers: world.movers, mode: $0).links.count }
        // 18 TRPs (all pairs within 500 m), 10 UEs.
        #expect(counts == [18, 18 * 17, 18 * 10, 18 * 17 + 18 * 10, 18 * 18])
    }

    @Test func directPathCarriesTheClockOffsetOfThePair() throws {
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: trp-trp, nlosProbability: 0, clutterRate: 0", bs: ", clockOffsetNs: 50"))
        let (obs, truth) = sensing.observe(world.step(dt: 0.1))
        let baseline = 20.0
        for (m, t) in zip(obs.measurements, truth.labels) where t.pathType == .direct {
            let link = sensing.links[m.linkId]
            // Receiver clock minus transmitter clock: a → b is −50 ns, b → a is +50 ns.
            let offset = link.receiver == .baseStation(1) ? -50e-9 : 50e-9
            #expect(abs(t.trueRange - (baseline + c * offset)) < 1e-9)
            #expect(abs(m.range - t.trueRange) < 6 * m.rangeVariance.squareRoot())
        }
        #expect(truth.labels.filter { $0.pathType == .direct }.count == 2)
    }

    @Test func aWallBlocksTheEcho() throws {
        // A full-height wall between TRP a (x 10) and the UAV (x 20): a hears no echo, b does.
        let wall = "{name: wall, kind: wall, min: [14, 0, 0], max: [15, 20, 8]}"
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: monostatic, nlosProbability: 0, clutterRate: 0", obstacles: wall))
        let (obs, truth) = sensing.observe(world.step(dt: 0.1))
        let echoes = zip(obs.measurements, truth.labels).filter { $0.1.pathType == .target }.map { $0.0.linkId }
        #expect(echoes == [1])
    }

    @Test func clutterIsPoissonWithTheConfiguredRate() throws {
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: monostatic, nlosProbability: 0, clutterRate: 2.5"))
        var total = 0
        let frames = 4000
        for _ in 0..<frames {
            let (_, truth) = sensing.observe(world.step(dt: 0.1))
            total += truth.labels.filter { $0.pathType == .clutter }.count
        }
        // 2 links × 4000 frames × 2.5: mean 20,000, σ = √20,000 ≈ 141.
        #expect(abs(Double(total) - 20_000) < 5 * 141.5)
    }

    @Test func cellFreeMisattributesWithTheConfiguredRate() throws {
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: cell-free, nlosProbability: 0, clutterRate: 0, identificationAccuracy: 0.7"))
        var right = 0, wrong = 0
        for _ in 0..<2000 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) where t.pathType == .target {
                if sensing.links[m.linkId].transmitter == t.transmitter { right += 1 } else { wrong += 1 }
            }
        }
        // With two BSs a wrong attribution always names the other one: P(wrong) = 0.3.
        let p = Double(wrong) / Double(right + wrong)
        #expect(abs(p - 0.3) < 0.03)
    }

    @Test func misattributedRangesFollowTheClaimedLinksConvention() throws {
        // Everything mis-attributed: a monostatic echo (path 2d) claimed by the bistatic link
        // reports the sum 2d; a bistatic echo (d_a + d_b) claimed by a monostatic link reports
        // half of it.
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: cell-free, nlosProbability: 0, clutterRate: 0, identificationAccuracy: 0"))
        let (obs, truth) = sensing.observe(world.step(dt: 0.1))
        let a = Vec3(10, 10, 6), b = Vec3(30, 10, 6), target = Vec3(20, 10, 4)
        let da = a.distance(to: target), db = b.distance(to: target)
        var seen = 0
        for (m, t) in zip(obs.measurements, truth.labels) where t.pathType == .target {
            let claimed = sensing.links[m.linkId]
            #expect(claimed.transmitter != t.transmitter)
            let physicalPath = t.transmitter == claimed.receiver ? 2 * (claimed.receiver == .baseStation(0) ? da : db) : da + db
            let expected = claimed.isMonostatic ? physicalPath / 2 : physicalPath
            #expect(abs(t.trueRange - expected) < 1e-9)
            #expect(abs(m.range - expected) < 6 * m.rangeVariance.squareRoot())
            seen += 1
        }
        #expect(seen == 4)
    }

    @Test func ueReceiverRangesAndRatesIncludeItsClockOffsetAndDrift() throws {
        // A UE-carrying UAV hovers at (20, 16, 2) with a strongly drifting clock (10 ns/s): the
        // TRP→UE direct path is |tx − ue| + c·(δ_ue − δ_bs), and its rate carries c·drift.
        let ue = "  - {name: phone, class: uav, ue: true, waypoints: [[20, 16, 2]]}\nue: {clock: {driftSigmaNsPerS: 10}}"
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: trp-ue, nlosProbability: 0, clutterRate: 0", extraMovers: ue))
        var previous: [Int: Double] = [:]
        var checked = 0
        for _ in 0..<30 {
            let snap = world.step(dt: 0.1)
            let (obs, truth) = sensing.observe(snap)
            let report = try #require(snap.ues[1])
            for (m, t) in zip(obs.measurements, truth.labels) {
                guard case .baseStation(let i) = sensing.links[m.linkId].transmitter else { continue }
                let tx = i == 0 ? Vec3(10, 10, 6) : Vec3(30, 10, 6)
                switch t.pathType {
                case .direct:
                    #expect(abs(t.trueRange - (tx.distance(to: Vec3(20, 16, 2)) + c * report.clockOffset)) < 1e-9)
                    if let before = previous[m.linkId] {
                        #expect(abs((t.trueRange - before) / 0.1 - c * report.clockDrift) < 1e-6)
                        #expect(abs(m.rangeRate - c * report.clockDrift) < 6 * m.rangeRateVariance.squareRoot())
                        checked += 1
                    }
                    previous[m.linkId] = t.trueRange
                case .target:
                    // The hovering drone at (20, 10, 4) seen by the UE.
                    let path = tx.distance(to: Vec3(20, 10, 4)) + Vec3(20, 10, 4).distance(to: Vec3(20, 16, 2))
                    #expect(abs(t.trueRange - (path + c * report.clockOffset)) < 1e-9)
                default: break
                }
            }
        }
        #expect(checked == 2 * 29)
        #expect(abs(c * 10e-9) > 1)  // the drift is worth metres per second: it must show
    }

    @Test func basesOfDifferentCarriersDoNotPair() throws {
        let yaml = hoverWorld(sensing: "mode: trp-trp", bs: ", carrierGHz: 3.5")
        let (_, sensing) = try engine(yaml)
        #expect(sensing.links.isEmpty)
        #expect(try engine(yaml, mode: .monostatic).1.links.count == 2)
    }

    @Test func generationOrderDoesNotSurviveInTheMeasurements() throws {
        // The direct path is generated first on each link; after the shuffle it lands anywhere.
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: trp-trp, nlosProbability: 0.5, clutterRate: 2"))
        var positions: Set<Int> = []
        for _ in 0..<200 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            let block = obs.measurements.indices.filter { obs.measurements[$0].linkId == 0 }
            if let k = block.firstIndex(where: { truth.labels[block[$0]].pathType == .direct }) { positions.insert(k) }
        }
        #expect(positions.count >= 3)
    }

    @Test func nlosPathsAreLongerThanTheTargetPath() throws {
        var (world, sensing) = try engine(hoverWorld(sensing: "mode: monostatic, nlosProbability: 0.5, clutterRate: 0"))
        var nlos = 0
        for _ in 0..<500 {
            let snap = world.step(dt: 0.1)
            let (_, truth) = sensing.observe(snap)
            for t in truth.labels where t.pathType == .nlos {
                nlos += 1
                let bs = t.transmitter == .baseStation(0) ? Vec3(10, 10, 6) : Vec3(30, 10, 6)
                #expect(t.trueRange > bs.distance(to: Vec3(20, 10, 4)))
            }
        }
        // 2 links × 500 frames × 0.5 = 500 expected (minus any below the threshold: none at this range).
        #expect(abs(Double(nlos) - 500) < 5 * 15.8)
    }

    @Test func backgroundReflectorsEchoEveryFrameAtTheSameRange() throws {
        var (world, sensing) = try engine(
            hoverWorld(sensing: "mode: monostatic, nlosProbability: 0, clutterRate: 0, backgroundReflectors: 3"))
        #expect(sensing.reflectors.count == 3)
        var ranges: [[Double]] = []
        for _ in 0..<3 {
            let (_, truth) = sensing.observe(world.step(dt: 0.1))
            ranges.append(truth.labels.filter { $0.pathType == .background }.map(\.trueRange).sorted())
        }
        #expect(ranges[0].count >= 3)
        #expect(ranges[0] == ranges[1] && ranges[1] == ranges[2])
    }

    @Test func sameSeedSameObservations() throws {
        let spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        func run() throws -> [FrameObservations] {
            var world = try World(spec: spec)
            var sensing = SensingEngine(world: spec, movers: world.movers, mode: .hybrid)
            return (0..<20).map { _ in sensing.observe(world.step(dt: 0.1)).0 }
        }
        let a = try run(), b = try run()
        #expect(a == b)
        #expect(a.allSatisfy { $0.measurements.allSatisfy { $0.range.isFinite && $0.rangeVariance > 0 && $0.snrDb.isFinite } })
    }
}
