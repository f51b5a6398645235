import Foundation
import RealModule
import Testing
import TwinMath
import TwinRadio
import TwinWorld

@testable import TwinLocalization
@testable import TwinSensing

/// A 40 × 20 m hall (InF-SL, 28 GHz micro TRPs), TRP `a` at (10, 10, 6) and a RIS panel at
/// (20, 10, 6) facing −x (towards `a`); TRP `b` at (30, 10, 6) is behind it. Three large UAVs
/// hover at 6 m: `front` at (14, 18) in front of the panel in line of sight, `behind` at
/// (26, 14) behind it, `hidden` at (12, 4) in front of it but behind a pillar.
func risWorld(panel: String = "", sensing: String = "") -> String {
    """
    simulation: {dt: 0.1, duration: 1, seed: 5}
    map:
      factory:
        size: [40, 20]
        ceiling: 8
        scenario: InF-SL
        obstacles:
          - {name: pillar, kind: wall, min: [15.5, 6.5, 0], max: [16.5, 7.5, 8]}
    infrastructure:
      baseStations:
        - {name: a, position: [10, 10, 6]}
        - {name: b, position: [30, 10, 6]}
      ris:
        - {name: panel, position: [20, 10, 6], azimuthDeg: 180, elements: [32, 32]\(panel)}
    movers:
      - {name: front, class: uav, size: large, waypoints: [[14, 18, 6]]}
      - {name: behind, class: uav, size: large, waypoints: [[26, 14, 6]]}
      - {name: hidden, class: uav, size: large, waypoints: [[12, 4, 6]]}
    sensing: {mode: monostatic, nlosProbability: 0, clutterRate: 0, lineOfSight: geometry\(sensing)}
    """
}

@Suite struct RISSensingTests {
    @Test func theNearestTRPInFrontServesThePanel() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(), file: "t.yaml")
        // a is 10 m away in front of the panel; b is 10 m away behind it.
        #expect(spec.ris[0].baseStation == "a")
        #expect(spec.sensing.ris)
        let links = RISSensing.links(world: spec, sensing: spec.sensing, firstId: 2)
        #expect(links.count == 1)
        #expect(links[0].id == 2 && links[0].kind == .ris && links[0].transmitter == .baseStation(0) && links[0].isMonostatic)
        #expect(links[0].panel == RISPanelRef(index: 0, name: "panel", position: Vec3(20, 10, 6), elements: SIMD2(32, 32)))
    }

    /// The cascaded radar equation by hand for TRP a (defaults of a micro TRP: 30 dBm, 16 × 8
    /// array, 400 MHz at 120 kHz, NF 7 dB, 14 symbols), the panel of 32 × 32 and a 0 dBsm
    /// target at (14, 18, 6): |BS − RIS| = |RIS − target| = 10 m, cos θ_BS = 1,
    /// cos θ_target = 6/10 = 0.6.
    ///   InF LOS path loss at 10 m: 31.84 + 21.5·1 + 19·log10(28) = 80.8360 dB (each leg)
    ///   P_t + G_t + G_r = 30 + 2·10·log10(128) = 72.1442 dB
    ///   10·log10(4π/λ²), λ = c/28 GHz = 10.7069 mm: 50.3988 dB
    ///   N = 10·log10(k·290 K·400 MHz) + 7 + 30 = −80.9546 dBm
    ///   G_int = 10·log10(3333 · 14) = 46.6896 dB
    ///   echo constant = 72.1442 + 50.3988 + 80.9546 + 46.6896 = 250.1873 dB
    ///   G(θ) = 10·log10(π·1024·cos θ): 35.0745 dB (cos 1), 32.8560 dB (cos 0.6)
    ///   SNR = 250.1873 − 4·80.8360 + 2·(35.0745 + 32.8560) = 62.7043 dB
    @Test func snrFollowsTheCascadedRadarEquation() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(), file: "t.yaml")
        let snr = try #require(RISSensing.echoSNRDb(world: spec, panel: 0, target: Vec3(14, 18, 6), rcsDbsm: 0))
        #expect(abs(snr - 62.7043) < 1e-3)
        // Behind the panel: no echo at all.
        #expect(RISSensing.echoSNRDb(world: spec, panel: 0, target: Vec3(26, 14, 6), rcsDbsm: 0) == nil)
        // Each side of a pass: 10·log10(π·N·cos θ); quadrupling N adds 4 × 6.02 dB to the echo.
        #expect(abs(RISSensing.apertureGainDb(elements: 1024, cosine: 1) - 35.0745) < 1e-4)
        let small = try #require(
            RISSensing.echoSNRDb(
                world: try WorldSpec.decode(yaml: risWorld().replacingOccurrences(of: "[32, 32]", with: "[16, 16]"), file: "t.yaml"),
                panel: 0, target: Vec3(14, 18, 6), rcsDbsm: 0))
        #expect(abs(snr - small - 40 * Double.log10(4)) < 1e-9)
    }

    /// The RIS link hears only the target in front of the panel in line of sight; its range
    /// is half the path 2|BS − RIS| + 2|RIS − target| (exactly 20 m), its angle is the
    /// direction at the panel with the CRLB of the panel's 32 elements, and it has no
    /// angle of departure.
    @Test func echoesOnlyFromTargetsInFrontWithLineOfSight() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(), file: "t.yaml")
        let world = try World(spec: spec)
        var w = world
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let ris = try #require(sensing.links.first { $0.kind == .ris })
        #expect(sensing.links.count == 3)
        let toFront = Vec3(14, 18, 6) - Vec3(20, 10, 6)
        var heard = 0
        for _ in 0..<20 {
            let (obs, truth) = sensing.observe(w.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) where m.linkId == ris.id {
                #expect(t.pathType == .target && t.moverId == 0)
                #expect(abs(t.trueRange - 20) < 1e-12)
                let snr = Double.exp10(m.snrDb / 10)
                #expect(abs(m.aoaAzimuthVariance! / (6 / (32 * 32 * 32 * snr)) - 1) < 1e-12)
                #expect(abs(m.aoaElevationVariance! / (6 / (32 * 32 * 32 * snr)) - 1) < 1e-12)
                #expect(abs(m.aoaAzimuth! - toFront.azimuth) < 6 * m.aoaAzimuthVariance!.squareRoot())
                #expect(abs(m.aoaElevation! - 0) < 6 * m.aoaElevationVariance!.squareRoot())
                #expect(m.aodAzimuth == nil && m.aodElevation == nil)
                #expect(abs(m.range - 20) < 6 * m.rangeVariance.squareRoot())
                heard += 1
            }
        }
        // 62.7 dB − 5.85 dBsm mean, σ ≈ 2.5 dB RCS and 2 × 4.3 dB shadowing: always above 10 dB.
        #expect(heard == 20)
    }

    /// Cell-free: echoes attributed to the wrong transmitter land on another BS pair's link,
    /// never on the RIS link of the receiving BS.
    @Test func cellFreeMisattributionNeverLandsOnTheRISLink() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(sensing: ", identificationAccuracy: 0"), file: "t.yaml")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: .cellFree)
        let ris = try #require(sensing.links.first { $0.kind == .ris })
        #expect(sensing.links.count == 5)
        var onRIS = 0, misattributed = 0
        for _ in 0..<20 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) {
                if m.linkId == ris.id {
                    #expect(t.moverId == 0 && abs(t.trueRange - 20) < 1e-12)
                    onRIS += 1
                } else if t.pathType == .target && t.transmitter != sensing.links[m.linkId].transmitter {
                    misattributed += 1
                }
            }
        }
        #expect(onRIS == 20)
        #expect(misattributed > 0)
    }

    @Test func switchedOffOrWithoutPanelsNothingChanges() throws {
        let off = try WorldSpec.decode(yaml: risWorld(sensing: ", ris: false"), file: "t.yaml")
        #expect(!off.sensing.ris)
        let world = try World(spec: off)
        let engineOff = SensingEngine(world: off, movers: world.movers)
        #expect(engineOff.links.allSatisfy { $0.kind == .monostatic })
        // With the link off, the BS links' measurements are those of a world without the panel.
        var a = world, b = try World(spec: off)
        var plain = off
        plain.ris = []
        var sa = engineOff, sb = SensingEngine(world: plain, movers: b.movers)
        for _ in 0..<5 {
            let (oa, _) = sa.observe(a.step(dt: 0.1))
            let (ob, _) = sb.observe(b.step(dt: 0.1))
            #expect(oa == ob)
        }
    }

    @Test func risLinksRoundTripThroughCodable() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(), file: "t.yaml")
        let world = try World(spec: spec)
        let links = SensingEngine(world: spec, movers: world.movers).links
        let data = try JSONEncoder().encode(links)
        #expect(try JSONDecoder().decode([SensingLink].self, from: data) == links)
    }

    /// The emitted SNR is the cascaded radar equation by hand (62.7043 dB for a 0 dBsm target
    /// at 80.8360 dB per RIS–target leg, see above), moved by the RCS drawn this frame and by
    /// the leg's own (shadowed) path loss: m.snrDb = 62.7043 + σ − 2·(PL_leg − 80.8360).
    @Test func emittedSNRIsTheHandComputedCascade() throws {
        let spec = try WorldSpec.decode(yaml: risWorld(), file: "t.yaml")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let ris = try #require(sensing.links.first { $0.kind == .ris })
        var checked = 0
        for _ in 0..<10 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            let state = try #require(sensing.channel as? RadarEquationChannel).state
            let targets = state.legFrame.count / sensing.layout.anchorCount
            // The RIS anchor is the last one; the front UAV is mover 0.
            let leg = state.legFrame[(sensing.layout.anchorCount - 1) * targets + 0]
            let rcs = try #require(state.rcs[0].state.value.map { state.rcs[0].meanDbsm + state.rcs[0].spreadDb * $0 })
            for (m, t) in zip(obs.measurements, truth.labels) where m.linkId == ris.id && t.pathType == .target {
                #expect(abs(m.snrDb - (62.7043 + rcs - 2 * (leg.pathLossDb - 80.8360))) < 1e-3, "\(m.snrDb)")
                checked += 1
            }
        }
        #expect(checked == 10)
    }

    /// A 40 × 20 m hall, TRP at (10, 10, 4), a panel of `elements` at (20, 10, 10) facing
    /// straight down (normal azimuth 180°: its horizontal axis is −y, its vertical axis −x) and
    /// a large UAV hovering at (20, 8, 2): 2 m off the panel's nadir along −y, 8 m below it
    /// (world elevation −76°, cos el = 0.243; panel angles φ = 14°, ψ = 0).
    func downwardPanelWorld(elements: String = "[32, 32]") -> String {
        """
        simulation: {dt: 0.1, duration: 1, seed: 9}
        map:
          factory: {size: [40, 20], ceiling: 12, scenario: InF-SL}
        infrastructure:
          baseStations:
            - {name: a, position: [10, 10, 4]}
          ris:
            - {name: down, position: [20, 10, 10], azimuthDeg: 180, elevationDeg: -90, elements: \(elements)}
        movers:
          - {name: below, class: uav, size: large, waypoints: [[20, 8, 2]]}
        sensing: {mode: monostatic, nlosProbability: 0, clutterRate: 0, lineOfSight: geometry}
        """
    }

    /// The panel measures the direction along its own axes (error variance 6/(m³·SNR) each): for
    /// the target off a downward panel's nadir, the localised RIS fix's error across the line
    /// of sight is r·σ_panel in both directions — horizontally (world azimuth) too, where a
    /// world-azimuth error would give only r·cos(el)·σ. The reported world variances are the
    /// propagated ones: var(az) = σ²/cos²(el) (the azimuth direction is the panel's ψ axis
    /// here), var(el) = σ² (its φ axis, cos ψ = 1).
    @Test func downwardPanelCrossRangeErrorIsRangeTimesPanelSigma() throws {
        let spec = try WorldSpec.decode(yaml: downwardPanelWorld(), file: "t.yaml")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let ris = try #require(sensing.links.first { $0.kind == .ris })
        let panel = Vec3(20, 10, 10), target = Vec3(20, 8, 2)
        let u = (target - panel) / target.distance(to: panel)
        let r = target.distance(to: panel)
        let (az, el) = (u.azimuth, u.elevation)
        let eAz = Vec3(-Double.sin(az), Double.cos(az), 0)
        let eEl = Vec3(-Double.sin(el) * Double.cos(az), -Double.sin(el) * Double.sin(az), Double.cos(el))
        var spec1 = LocalizerSpec.default
        spec1.minimumLinks = 1
        let localizer = Localizers.make("time-angle", LocalizerSettings(spec1))!
        var zAz: [Double] = [], zEl: [Double] = [], naiveAz: [Double] = []
        for _ in 0..<300 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) where m.linkId == ris.id && t.pathType == .target {
                let sigma2 = 6 / (32 * 32 * 32 * Double.exp10(m.snrDb / 10))
                let cos2 = Double.cos(el) * Double.cos(el)
                #expect(abs(try #require(m.aoaAzimuthVariance) * cos2 / sigma2 - 1) < 1e-6)
                #expect(abs(try #require(m.aoaElevationVariance) / sigma2 - 1) < 1e-6)
                var one = obs
                one.measurements = [m]
                let problem = LocalizationProblem(frame: one, links: sensing.links, baseStations: [(name: "a", position: Vec3(10, 10, 4))])
                let fix = try #require(try localizer.localize(problem).localizations.first).position
                let error = fix - target
                let sigma = r * sigma2.squareRoot()
                zAz.append(error.dot(eAz) / sigma)
                zEl.append(error.dot(eEl) / sigma)
                naiveAz.append((m.aoaAzimuth! - az) * (m.aoaAzimuth! - az) / m.aoaAzimuthVariance!)  // already squared
            }
        }
        #expect(zAz.count > 250)
        func meanSquare(_ x: [Double]) -> Double { x.map { $0 * $0 }.reduce(0, +) / Double(x.count) }
        // χ²₁ means over ~300 draws: 1 ± 0.08 (1σ).
        #expect(abs(meanSquare(zAz) - 1) < 0.3, "cross-range (azimuth) \(meanSquare(zAz))")
        #expect(abs(meanSquare(zEl) - 1) < 0.3, "cross-range (elevation) \(meanSquare(zEl))")
        let normalisedAz = naiveAz.reduce(0, +) / Double(naiveAz.count)
        #expect(abs(normalisedAz - 1) < 0.3, "azimuth vs its reported variance \(normalisedAz)")
    }

    /// Monte-Carlo of the world angles a panel reports, for a direction off both of its axes
    /// (φ ≠ 0, ψ ≠ 0) and unequal element counts (32 × 16): the sample variances of world
    /// azimuth and elevation match the first-order propagated ones (20 000 draws: ±1 % at 1σ),
    /// and the panel-frame errors have the CRLB variances of their own axes.
    @Test func reportedWorldVariancesMatchMonteCarlo() throws {
        let spec = try WorldSpec.decode(yaml: downwardPanelWorld(elements: "[32, 16]"), file: "t.yaml")
        let frame = RISPanelFrame(spec.ris[0])
        // The frame by hand for a downward panel of normal azimuth 180°.
        #expect((frame.normal - Vec3(0, 0, -1)).norm < 1e-12)
        #expect((frame.horizontal - Vec3(0, -1, 0)).norm < 1e-12)
        #expect((frame.vertical - Vec3(-1, 0, 0)).norm < 1e-12)
        let path = RISPathConstants(
            fixedPathLength: 0, normal: frame.normal, elements: 512, constantDb: 0, frame: frame, axisElements: SIMD2(32, 16))
        let offset = Vec3(-3, -2, -8)
        let truth = frame.panelAngles(of: offset)
        #expect(abs(truth.phi - Double.atan2(y: 2, x: 8)) < 1e-12)
        #expect(abs(truth.psi - Double.asin(3 / offset.norm)) < 1e-12)
        let snr = 2000.0
        let (varPhi, varPsi) = (6 / (32 * 32 * 32 * snr), 6 / (16 * 16 * 16 * snr))
        var rng = SeededRandom(seed: 4)
        var az: [Double] = [], el: [Double] = [], phi: [Double] = [], psi: [Double] = []
        var reported: RISArrival?
        for _ in 0..<20_000 {
            let a = try #require(path.measureArrival(offset, snr: snr, rng: &rng))
            reported = a
            az.append(a.azimuth)
            el.append(a.elevation)
            let p = frame.panelAngles(of: .unit(azimuth: a.azimuth, elevation: a.elevation))
            phi.append(p.phi)
            psi.append(p.psi)
        }
        func variance(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)
        }
        let a = try #require(reported)
        #expect(abs(variance(az) / a.azimuthVariance - 1) < 0.05, "az \(variance(az)) vs \(a.azimuthVariance)")
        #expect(abs(variance(el) / a.elevationVariance - 1) < 0.05, "el \(variance(el)) vs \(a.elevationVariance)")
        #expect(abs(variance(phi) / varPhi - 1) < 0.05)
        #expect(abs(variance(psi) / varPsi - 1) < 0.05)
        // Off-axis, the world variances differ from the panel's (the rotation matters).
        #expect(abs(a.azimuthVariance / varPhi - 1) > 0.5)
    }

    /// A panel is a street-level anchor: on roads its RIS–target leg takes UMi's path loss even
    /// when a macro (UMa) serves it.
    @Test func risTargetLegIsStreetLevelOnRoads() throws {
        let yaml = """
            simulation: {dt: 0.1, duration: 1, seed: 5}
            map:
              road:
                size: [200, 200]
                maxAltitude: 100
                lanes:
                  - {name: l, points: [[10, 50], [190, 50]], speedLimit: 10}
            infrastructure:
              baseStations:
                - {name: m, tier: macro, position: [50, 100, 25]}
              ris:
                - {name: p, position: [100, 100, 10], azimuthDeg: 180, elevationDeg: -20, elements: [32, 32]}
            movers:
              - {name: uav, class: uav, size: large, waypoints: [[80, 110, 5]]}
            sensing: {mode: monostatic}
            """
        let spec = try WorldSpec.decode(yaml: yaml, file: "r.yaml")
        let target = Vec3(80, 110, 5)
        let geometry = LinkGeometry(spec.ris[0].position, target)
        let f = spec.baseStations[0].carrierFrequency
        let umi = PropagationScenario.urbanMicro.model.pathLoss(geometry, carrierFrequency: f, los: true).meanDb
        let uma = PropagationScenario.urbanMacro.model.pathLoss(geometry, carrierFrequency: f, los: true).meanDb
        #expect(abs(umi - uma) > 1)
        let snr = try #require(RISSensing.echoSNRDb(world: spec, panel: 0, target: target, rcsDbsm: 0))
        let withUMi = try #require(RISSensing.echoSNRDb(world: spec, panel: 0, target: target, rcsDbsm: 0, risTargetLossDb: umi))
        #expect(abs(snr - withUMi) < 1e-9)
        // The engine's RIS anchor (the last one) uses UMi too; the macro's own anchor UMa.
        let world = try World(spec: spec)
        let engine = SensingEngine(world: spec, movers: world.movers)
        #expect(engine.links.contains { $0.kind == .ris })
        let risAnchor = try #require(engine.layout.anchorModels.last)
        #expect(abs(risAnchor.pathLoss(geometry, carrierFrequency: f, los: true).meanDb - umi) < 1e-12)
        #expect(abs(engine.layout.anchorModels[0].pathLoss(geometry, carrierFrequency: f, los: true).meanDb - uma) < 1e-12)
    }
}
