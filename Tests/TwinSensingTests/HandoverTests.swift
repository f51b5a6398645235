import Foundation
import RealModule
import Testing
import TwinMath
import TwinRadio
import TwinWorld

@testable import TwinSensing

/// An open 400 × 200 m road map (no obstacles: every ray is clear) with micro BSs `a` at
/// (150, 100, 10) and `b` at (250, 100, 10) — equal cells, border x = 200 — and `extra` BS lines.
func cellsWorld(handover: String, extra: String = "", sensing: String = "mode: monostatic") -> String {
    """
    simulation: {dt: 0.1, duration: 1, seed: 3}
    map:
      road: {size: [400, 300]}
    infrastructure:
      baseStations:
    \(extra)
        - {name: a, position: [150, 100, 10]}
        - {name: b, position: [250, 100, 10]}
    movers:
      - {name: drone, class: uav, waypoints: [[200, 100, 20]]}
    sensing: {\(sensing)}
    handover: {\(handover)}
    """
}

func manager(_ yaml: String) throws -> HandoverManager {
    HandoverManager(world: try WorldSpec.decode(yaml: yaml, file: "t.yaml"))
}

struct HandoverTests {
    /// The predicted SNR against the radar equation by hand (docs/domain.md §4), for micro BS a
    /// (defaults: 28 GHz, 400 MHz, 120 kHz, 30 dBm, 16 × 8 elements, NF 7 dB; 14 symbols) and a
    /// target at 5 m height 40 m away horizontally, RCS 0 dBsm, UMi LOS below the breakpoint.
    @Test func predictedSNRIsTheRadarEquation() throws {
        let m = try manager(cellsWorld(handover: "policy: hysteresis"))
        let p = Vec3(190, 100, 5)
        let d = (40.0 * 40 + 5 * 5).squareRoot()
        let lambda = 299_792_458.0 / 28e9
        let noise = 10 * Double.log10(1.380649e-23 * 290 * 400e6) + 30 + 7
        let constant =
            30 + 2 * 10 * Double.log10(128) + 10 * Double.log10(4 * .pi / (lambda * lambda)) - noise
            + 10 * Double.log10(3333 * 14)
        let pathLoss = 32.4 + 21 * Double.log10(d) + 20 * Double.log10(28)
        #expect(abs(m.quality.snrDb(bs: 0, at: p) - (constant - 2 * pathLoss)) < 1e-9)
        // Beyond sensing.maxRange (300 m): no echo.
        #expect(m.quality.snrDb(bs: 0, at: Vec3(150, 100 + 300.5, 10)) == -.infinity)
        // The power sum of a and b.
        let (sa, sb) = (m.quality.snrDb(bs: 0, at: p), m.quality.snrDb(bs: 1, at: p))
        let sum = 10 * Double.log10(Double.exp10(sa / 10) + Double.exp10(sb / 10))
        #expect(abs(m.quality.qualityDb([0, 1], at: p) - sum) < 1e-9)
    }

    /// A target flies along the border of two equal cells (x = 200) at 10 m/s; the track's
    /// estimate carries realistic noise (σ = 0.5 m per axis, 0.5 m/s on the velocity). The
    /// two cells' predicted SNRs then differ by 42·log10(d_a/d_b) ≈ 0.4 dB (1σ) — so
    /// `strongest` follows the noise from cell to cell, while a 3 dB hysteresis (≈ 8σ) never
    /// triggers.
    @Test func hysteresisSuppressesPingPongAlongACellBorder() throws {
        func run(_ policy: String) throws -> [HandoverEvent] {
            var m = try manager(cellsWorld(handover: "policy: \(policy), clusterSize: 1, hysteresisDb: 3, timeToTrigger: 0.32"))
            var rng = SeededRandom(seed: 42).substream("track-noise")
            var events: [HandoverEvent] = []
            for k in 0..<160 {
                let t = Double(k) / 10
                let truth = Vec3(200, 20 + 10 * t, 20)
                let noise = Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * 0.5
                let velocity = Vec3(0, 10, 0) + Vec3(rng.gaussian(), rng.gaussian(), 0) * 0.5
                events += m.update(
                    frameIndex: k, time: t, dt: 0.1,
                    tracks: [TrackPrediction(id: 1, position: truth + noise, velocity: velocity, gateRadius: 1.5, confirmed: true)])
            }
            return events
        }
        /// Handovers (first assignment excluded) and ping-pongs: back to the cluster left
        /// within 1 s.
        func score(_ events: [HandoverEvent]) -> (handovers: Int, pingPongs: Int) {
            let handovers = events.filter { $0.from != nil }
            var pingPongs = 0
            for (x, y) in zip(handovers, handovers.dropFirst()) where y.to == x.from && y.from == x.to && y.time - x.time <= 1 + 1e-9 {
                pingPongs += 1
            }
            return (handovers.count, pingPongs)
        }
        let strongest = score(try run("strongest"))
        let hysteresis = score(try run("hysteresis"))
        // The sign of the x noise decides the strongest cell: about every other frame flips.
        #expect(strongest.handovers >= 40)
        #expect(Double(strongest.pingPongs) >= 0.8 * Double(strongest.handovers))
        #expect(hysteresis.handovers == 0)
        #expect(hysteresis.pingPongs == 0)
    }

    /// Closed form: both cells have the same link budget, the target is at 5 m (UMi LOS
    /// below the breakpoint: PL = 32.4 + 21·log10 d₃D + 20·log10 f), so the monostatic SNR
    /// gain of b over a is 2·21·log10(d_a/d_b). At (215, 100, 5) that is 11.2 dB > 3 dB: the
    /// condition holds from its first frame; with timeToTrigger 0.3 s (dt = 0.1 s) it triggers
    /// exactly 3 frames later, and 2 frames of it (then back) trigger nothing.
    @Test func timeToTriggerIsExact() throws {
        let yaml = cellsWorld(handover: "policy: hysteresis, clusterSize: 1, hysteresisDb: 3, timeToTrigger: 0.3, executionDelay: 0")
        let home = Vec3(160, 100, 5), away = Vec3(215, 100, 5)
        let m0 = try manager(yaml)
        let (da, db) = (Vec3(150, 100, 10).distance(to: away), Vec3(250, 100, 10).distance(to: away))
        let gain = m0.quality.snrDb(bs: 1, at: away) - m0.quality.snrDb(bs: 0, at: away)
        #expect(abs(gain - 42 * Double.log10(da / db)) < 1e-9)
        #expect(gain > 3)

        func run(awayFrames: ClosedRange<Int>, total: Int) throws -> [HandoverEvent] {
            var m = try manager(yaml)
            var events: [HandoverEvent] = []
            for k in 0..<total {
                let p = awayFrames.contains(k) ? away : home
                events += m.update(
                    frameIndex: k, time: Double(k) / 10, dt: 0.1,
                    tracks: [TrackPrediction(id: 7, position: p, velocity: .zero, gateRadius: 1, confirmed: true)])
            }
            return events
        }
        let full = try run(awayFrames: 1...8, total: 9)
        #expect(full.count == 2)
        #expect(full.first?.reason == "initial" && full.first?.to == "a")
        // Condition first at frame 1 (t = 0.1 s); t − 0.1 ≥ 0.3 first at frame 4.
        #expect(full.last?.frameIndex == 4)
        #expect(full.last?.from == "a" && full.last?.to == "b")
        let expected = (gain * 100).rounded() / 100
        #expect(full.last?.reason == "better by \(expected) dB for 0.3 s")
        // Away for frames 1–3 only (0.2 s of condition): no handover.
        let short = try run(awayFrames: 1...3, total: 9)
        #expect(short.count == 1)
    }

    /// Coverage ends at sensing.maxRange = 150 m: with a at (100, 100, 10) and the target on
    /// y = 100 at z = 10, a's edge is at x = 250 exactly (threshold 0 dB: the SNR there is far
    /// above it, so only the range limits coverage). Flying +x at 10 m/s from x = 150 (1 m per frame): the
    /// predictive policy (horizon 1 s) sees x + 10·h > 250 for some h ≤ 1 first at x = 241
    /// (frame 91); hysteresis sees the serving cell lost first at x = 251 (frame 101) and
    /// hands over after timeToTrigger 0.3 s (frame 104).
    @Test func predictiveHandsOverBeforeCoverageEnds() throws {
        let world = """
            simulation: {dt: 0.1, duration: 1, seed: 3}
            map:
              road: {size: [400, 200]}
            infrastructure:
              baseStations:
                - {name: a, position: [100, 100, 10]}
                - {name: b, position: [300, 100, 10]}
            movers:
              - {name: drone, class: uav, waypoints: [[200, 100, 20]]}
            sensing: {maxRange: 150}
            """
        func run(_ policy: String) throws -> [HandoverEvent] {
            var m = try manager(
                world + "\nhandover: {policy: \(policy), clusterSize: 1, thresholdDb: 0, hysteresisDb: 40, timeToTrigger: 0.3}")
            var events: [HandoverEvent] = []
            for k in 0..<140 {
                let p = Vec3(150 + Double(k), 100, 10)
                events += m.update(
                    frameIndex: k, time: Double(k) / 10, dt: 0.1,
                    tracks: [TrackPrediction(id: 1, position: p, velocity: Vec3(10, 0, 0), gateRadius: 1, confirmed: true)])
            }
            return events.filter { $0.from != nil }
        }
        let predictive = try run("predictive")
        #expect(predictive.count == 1)
        #expect(predictive.first?.frameIndex == 91)
        #expect(predictive.first?.to == "b")
        #expect(predictive.first?.reason == "serving predicted below threshold in 1 s")
        let hysteresis = try run("hysteresis")
        #expect(hysteresis.count == 1)
        #expect(hysteresis.first?.frameIndex == 104)
        #expect(hysteresis.first?.reason == "serving below threshold for 0.3 s")
    }

    /// Hand-built geometry, sensing.maxRange 100 m (beyond it a BS does not cover): a macro at
    /// (200, 160, 30), micros a (150, 100, 10) and b (250, 100, 10).
    /// - (200, 100, 20): a and b at 51 m, far above threshold + margin → micro-only {a, b};
    /// - (140, 100, 20): a at 14 m, b at 110.5 m (out) → the macro with a;
    /// - (200, 230, 20): macro at 71 m, a and b at 140 m → the macro alone.
    @Test func clusterIsMicroInsideTheOverlapAndMacroPlusMicroOutside() throws {
        let m = try manager(
            cellsWorld(
                handover: "policy: hysteresis, clusterSize: 2",
                extra: "    - {name: macro, tier: macro, position: [200, 160, 30]}", sensing: "maxRange: 100"))
        #expect(m.quality.names == ["macro", "a", "b"])
        #expect(m.preferredCluster(at: Vec3(200, 100, 20), margin: 3)?.name(m.quality.names) == "a+b")
        #expect(m.preferredCluster(at: Vec3(140, 100, 20), margin: 3)?.name(m.quality.names) == "macro+a")
        #expect(m.preferredCluster(at: Vec3(200, 230, 20), margin: 3)?.name(m.quality.names) == "macro")
        #expect(m.preferredCluster(at: Vec3(390, 290, 20), margin: 3) == nil)
        // Policy: a track served by macro+a that enters the overlap moves to a+b (the macro is
        // released) after timeToTrigger.
        var h = try manager(
            cellsWorld(
                handover: "policy: hysteresis, clusterSize: 2, timeToTrigger: 0.2",
                extra: "    - {name: macro, tier: macro, position: [200, 160, 30]}", sensing: "maxRange: 100"))
        var events: [HandoverEvent] = []
        for k in 0..<6 {
            let p = k == 0 ? Vec3(140, 100, 20) : Vec3(200, 100, 20)
            events += h.update(
                frameIndex: k, time: Double(k) / 10, dt: 0.1,
                tracks: [TrackPrediction(id: 3, position: p, velocity: .zero, gateRadius: 1, confirmed: true)])
        }
        #expect(events.map(\.to) == ["macro+a", "a+b"])
        #expect(events.last?.frameIndex == 3)
        #expect(events.last?.reason == "inside micro overlap for 0.2 s")
    }

    /// The schedule gates echoes of movers: a beam of a around the drone gives its echo on
    /// link a only; a beam 5 m off (radius 1 m) gives none; without a schedule both links
    /// hear it. On a bistatic link a→b the drone must be in a beam of both ends.
    @Test func scheduleBlocksEchoesOutsideBeams() throws {
        let drone = Vec3(20, 10, 4)
        func targetLinks(_ mode: String, _ schedule: SensingSchedule?) throws -> Set<Int> {
            var (world, sensing) = try engine(
                hoverWorld(sensing: "mode: \(mode), nlosProbability: 0, clutterRate: 0, missProbability: 0, lineOfSight: geometry"))
            var links = Set<Int>()
            for _ in 0..<5 {
                let (obs, truth) = sensing.observe(world.step(dt: 0.1), schedule: schedule)
                for (m, t) in zip(obs.measurements, truth.labels) where t.pathType == .target { links.insert(m.linkId) }
            }
            return links
        }
        let onDrone = SensingSchedule.Beam(center: drone, radius: 2)
        let off = SensingSchedule.Beam(center: drone + Vec3(5, 0, 0), radius: 1)
        #expect(try targetLinks("monostatic", nil) == [0, 1])
        #expect(try targetLinks("monostatic", SensingSchedule(beams: [[onDrone], []])) == [0])
        #expect(try targetLinks("monostatic", SensingSchedule(beams: [[off], [off]])) == [])
        // trp-trp: links 0 = a→b, 1 = b→a.
        #expect(try targetLinks("trp-trp", nil) == [0, 1])
        #expect(try targetLinks("trp-trp", SensingSchedule(beams: [[onDrone], []])) == [])
        #expect(try targetLinks("trp-trp", SensingSchedule(beams: [[onDrone], [onDrone]])) == [0, 1])
    }

    /// The schedule: search frames (every round(searchPeriod/dt)-th) have none; otherwise a
    /// confirmed track gets beams from its cluster only, not before executionDelay has passed
    /// after a handover, and a tentative track gets beams from every BS.
    @Test func scheduleFollowsTheServingCluster() throws {
        var m = try manager(
            cellsWorld(handover: "policy: strongest, clusterSize: 1, searchPeriod: 0.5, executionDelay: 0.1"))
        let near = TrackPrediction(id: 1, position: Vec3(160, 100, 5), velocity: .zero, gateRadius: 0.5, confirmed: true)
        let tentative = TrackPrediction(id: 2, position: Vec3(240, 100, 5), velocity: .zero, gateRadius: 9, confirmed: false)
        #expect(m.schedule(frameIndex: 5, time: 0.5, dt: 0.1, predictions: [near]) == nil)
        _ = m.update(frameIndex: 1, time: 0.1, dt: 0.1, tracks: [near])
        let s = try #require(m.schedule(frameIndex: 2, time: 0.2, dt: 0.1, predictions: [near, tentative]))
        #expect(s.beams[0] == [.init(center: near.position, radius: 3), .init(center: tentative.position, radius: 9)])
        #expect(s.beams[1] == [.init(center: tentative.position, radius: 9)])
        // Handover to b after frame 2 (t = 0.2): no beam at frame 3 (t = 0.3 = 0.2 + delay), b's at frame 4.
        let moved = TrackPrediction(id: 1, position: Vec3(240, 100, 5), velocity: .zero, gateRadius: 0.5, confirmed: true)
        #expect(m.update(frameIndex: 2, time: 0.2, dt: 0.1, tracks: [moved]).map(\.to) == ["b"])
        let gap = try #require(m.schedule(frameIndex: 3, time: 0.3, dt: 0.1, predictions: [moved]))
        #expect(gap.beams == [[], []])
        let up = try #require(m.schedule(frameIndex: 4, time: 0.4, dt: 0.1, predictions: [moved]))
        #expect(up.beams == [[], [.init(center: moved.position, radius: 3)]])
    }

    /// 3GPP A3: the time-to-trigger runs per candidate. Cells c (200, 250, 10), a, b; the
    /// track is at home near a (frame 0: initial a), then near b for frames 1–2 (b preferred
    /// from t0 = 0.1 s) and near c from frame 3 (c preferred from t0 + 0.2 = 0.3 s). With
    /// timeToTrigger 0.3 s the timer restarts at 0.3 s: the handover is to c at frame 6
    /// (t = 0.6 s), not at frame 4 (0.3 s after the first, other, candidate).
    @Test func timeToTriggerRestartsWhenTheCandidateChanges() throws {
        var m = try manager(
            cellsWorld(
                handover: "policy: hysteresis, clusterSize: 1, hysteresisDb: 3, timeToTrigger: 0.3, executionDelay: 0",
                extra: "    - {name: c, position: [200, 250, 10]}"))
        #expect(m.quality.names == ["c", "a", "b"])
        let (home, nearB, nearC) = (Vec3(160, 100, 5), Vec3(215, 100, 5), Vec3(200, 240, 5))
        #expect(m.preferredCluster(at: nearB, margin: 3)?.name(m.quality.names) == "b")
        #expect(m.preferredCluster(at: nearC, margin: 3)?.name(m.quality.names) == "c")
        var events: [HandoverEvent] = []
        for k in 0..<9 {
            let p = k == 0 ? home : k < 3 ? nearB : nearC
            events += m.update(
                frameIndex: k, time: Double(k) / 10, dt: 0.1,
                tracks: [TrackPrediction(id: 1, position: p, velocity: .zero, gateRadius: 1, confirmed: true)])
        }
        #expect(events.map(\.to) == ["a", "c"])
        #expect(events.map(\.frameIndex) == [0, 6])
    }

    /// No handover during the execution delay: strongest (no time-to-trigger), delay 0.3 s.
    /// a→b after frame 1 (t = 0.1; b's beams from frames after 0.4 s). The estimate is back
    /// near a from frame 2 on — strongest would hand back at once — yet the updates after
    /// frames 2–4 (t ≤ 0.4 s, no beams of b yet) hand over nothing; b→a after frame 5.
    @Test func noHandoverDuringTheExecutionDelay() throws {
        var m = try manager(cellsWorld(handover: "policy: strongest, clusterSize: 1, executionDelay: 0.3"))
        let (home, away) = (Vec3(160, 100, 5), Vec3(215, 100, 5))
        var events: [HandoverEvent] = []
        for k in 0..<8 {
            events += m.update(
                frameIndex: k, time: Double(k) / 10, dt: 0.1,
                tracks: [TrackPrediction(id: 1, position: k == 1 ? away : home, velocity: .zero, gateRadius: 1, confirmed: true)])
        }
        #expect(events.map(\.to) == ["a", "b", "a"])
        #expect(events.map(\.frameIndex) == [0, 1, 5])
        #expect(m.state.tracks.first?.beamsFrom == 0.5 + 0.3)
    }

    /// RIS panels count in the quality model (worlds/factory-ris.yaml): at (52, 34, 1) in the
    /// walled blind zone no TRP sees the target directly (every direct SNR −∞), yet both
    /// panels do; each panel's BS then has the power sum of its panels' echoes
    /// (`RISSensing.echoSNRDb`), covers the point, and is in the preferred cluster — so the
    /// panel's link, lit by its BS's beams, stays lit. With `sensing.ris: false` nothing covers.
    @Test func risPanelEchoesCountForTheirBaseStation() throws {
        let path = packageRoot.appendingPathComponent("worlds/factory-ris.yaml").path
        let world = try WorldSpec.load(path: path)
        let m = HandoverManager(world: world)
        let p = Vec3(52, 34, 1)
        for b in 0..<m.quality.count { #expect(m.quality.directSNRDb(bs: b, at: p) == -.infinity) }
        let served = world.ris.map { panel in world.baseStations.firstIndex { $0.name == panel.baseStation }! }
        for b in 0..<m.quality.count {
            let panels = world.ris.indices.filter { served[$0] == b }
            let echoes = try panels.map { try #require(RISSensing.echoSNRDb(world: world, panel: $0, target: p, rcsDbsm: 0)) }
            if echoes.isEmpty {
                #expect(m.quality.snrDb(bs: b, at: p) == -.infinity)
            } else {
                let sum = 10 * Double.log10(echoes.reduce(0) { $0 + Double.exp10($1 / 10) })
                #expect(abs(m.quality.snrDb(bs: b, at: p) - sum) < 1e-9)
                #expect(m.covers(SensingCluster([b]), p), "\(world.baseStations[b].name): \(sum) dB")
            }
        }
        let cluster = try #require(m.preferredCluster(at: p, margin: 0))
        #expect(Set(served).isSubset(of: Set(cluster.members)), "\(cluster.name(m.quality.names))")
        var off = world
        off.sensing.ris = false
        #expect(HandoverManager(world: off).preferredCluster(at: p, margin: 0) == nil)
    }

    /// A manager restricted to some BSs (one operator's, under the edge cooperation policies)
    /// forms clusters of them only and points acquisition beams from them only: near a, with
    /// only b allowed, the cluster is b (a+b unrestricted) and a tentative track gets b's beam.
    @Test func allowedBaseStationsRestrictClustersAndBeams() throws {
        let world = try WorldSpec.decode(yaml: cellsWorld(handover: "policy: hysteresis, clusterSize: 2"), file: "t.yaml")
        let p = Vec3(160, 100, 5)
        let all = HandoverManager(world: world)
        #expect(all.preferredCluster(at: p, margin: 3)?.name(all.quality.names) == "a+b")
        var onlyB = HandoverManager(world: world, allowed: [false, true])
        #expect(onlyB.preferredCluster(at: p, margin: 3)?.name(onlyB.quality.names) == "b")
        let tentative = TrackPrediction(id: 2, position: p, velocity: .zero, gateRadius: 4, confirmed: false)
        let s = try #require(onlyB.schedule(frameIndex: 1, time: 0.1, dt: 0.1, predictions: [tentative]))
        #expect(s.beams == [[], [.init(center: p, radius: 4)]])
        let confirmed = TrackPrediction(id: 1, position: p, velocity: .zero, gateRadius: 4, confirmed: true)
        #expect(onlyB.update(frameIndex: 1, time: 0.1, dt: 0.1, tracks: [confirmed]).map(\.to) == ["b"])
        // Two operators' schedules merge per BS.
        let merged = SensingSchedule(beams: [[.init(center: p, radius: 1)], []]).merged(with: s)
        #expect(merged.beams == [[.init(center: p, radius: 1)], [.init(center: p, radius: 4)]])
    }
}
