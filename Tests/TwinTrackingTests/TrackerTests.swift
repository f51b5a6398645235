import Foundation
import Testing
import TwinMath

@testable import TwinTracking

/// The registered tracker `settings.name` as the composed `MultiTargetTracker` it is.
func makeTracker(_ settings: TrackerSettings, state: TwinState = TwinState()) throws -> MultiTargetTracker {
    try #require(try Trackers.make(settings, state: state) as? MultiTargetTracker)
}

/// The JPDA associator of `settings`.
func jpdaAssociator(_ s: TrackerSettings) -> JPDAAssociator {
    JPDAAssociator(
        gateProbability: s.gateProbability, detectionProbability: s.detectionProbability, clutterDensity: s.clutterDensity,
        hypothesisBudget: s.jpdaHypothesisBudget)
}

struct TrackerTests {
    /// Position RMSE of one target flying straight, turning at 0.3 rad/s for 10 s and flying
    /// straight again (a UAV manoeuvre), tracked by `settings` over 40 Monte-Carlo runs.
    func turningUAVError(_ settings: TrackerSettings) throws -> Double {
        let dt = 0.1, sigma = 1.0
        var total = 0.0, count = 0
        for run in 0..<40 {
            var rng = SeededRandom(seed: 99).substream(run)
            var tracker = try makeTracker(settings)
            var p = Vec3(0, 0, 30), v = Vec3(15, 0, 0)
            for k in 0..<300 {
                let t = Double(k + 1) * dt
                let w = (100..<200).contains(k) ? 0.3 : 0
                if w != 0 {
                    let (c, s) = (cos(w * dt), sin(w * dt))
                    p += Vec3((s * v.x - (1 - c) * v.y) / w, ((1 - c) * v.x + s * v.y) / w, v.z * dt)
                    v = Vec3(c * v.x - s * v.y, s * v.x + c * v.y, v.z)
                } else {
                    p += dt * v
                }
                let z = p + sigma * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                _ = tracker.update(frameIndex: k, time: t, detections: [detection(z, variance: sigma * sigma)])
                if k >= 100 {  // from the start of the turn on
                    let track = try #require(tracker.state.tracks.first)
                    total += track.position.distance(to: p) * track.position.distance(to: p)
                    count += 1
                }
            }
        }
        return (total / Double(count)).squareRoot()
    }

    /// IMM (CV + CT) beats CV alone on a turning UAV, with the same CV process noise.
    @Test func immBeatsConstantVelocityOnTurningUAV() throws {
        let cv = TrackerSettings(name: "gnn-cv", processNoise: 0.5, confirmHits: 1, confirmWindow: 1)
        let imm = TrackerSettings(name: "gnn-imm", processNoise: 0.5, turnRateNoise: 0.01, confirmHits: 1, confirmWindow: 1)
        let cvError = try turningUAVError(cv)
        let immError = try turningUAVError(imm)
        #expect(immError < 0.8 * cvError, "IMM \(immError) m vs CV \(cvError) m")
    }

    /// IMM model probabilities follow the manoeuvre: CT dominates mid-turn, CV on the straight.
    @Test func immModelProbabilitiesFollowTheManoeuvre() throws {
        let settings = TrackerSettings(name: "gnn-imm", processNoise: 0.1, turnRateNoise: 0.01, confirmHits: 1, confirmWindow: 1)
        var tracker = try makeTracker(settings)
        var rng = SeededRandom(seed: 5)
        var p = Vec3(0, 0, 30), v = Vec3(15, 0, 0)
        var ctMidTurn = 0.0, ctStraight = 0.0
        for k in 0..<300 {
            let w = (100..<200).contains(k) ? 0.3 : 0
            if w != 0 {
                let (c, s) = (cos(w * 0.1), sin(w * 0.1))
                p += Vec3((s * v.x - (1 - c) * v.y) / w, ((1 - c) * v.x + s * v.y) / w, 0)
                v = Vec3(c * v.x - s * v.y, s * v.x + c * v.y, 0)
            } else {
                p += 0.1 * v
            }
            _ = tracker.update(
                frameIndex: k, time: Double(k + 1) * 0.1,
                detections: [detection(p + 0.5 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian()), variance: 0.25)])
            if (150..<200).contains(k) { ctMidTurn += tracker.state.tracks[0].modelProbabilities[1] / 50 }
            if (250..<300).contains(k) { ctStraight += tracker.state.tracks[0].modelProbabilities[1] / 50 }
        }
        #expect(ctMidTurn > 0.6, "CT probability mid-turn \(ctMidTurn)")
        #expect(ctStraight < ctMidTurn)
    }

    /// Two targets cross at 30° (closest approach 0 m at t = 5 s); GNN keeps each on its own
    /// track id through and after the crossing, and never holds a third confirmed track.
    @Test(arguments: ["gnn-cv", "jpda-cv"])
    func crossingTargetsKeepTheirIds(name: String) throws {
        let settings = TrackerSettings(name: name, processNoise: 0.1)
        var tracker = try makeTracker(settings)
        var rng = SeededRandom(seed: 3)
        let speed = 10.0, half = 15.0 * Double.pi / 180
        let va = Vec3(speed * cos(half), speed * sin(half), 0), vb = Vec3(speed * cos(half), -speed * sin(half), 0)
        let crossing = Vec3(50, 20, 2)
        var owner: [Int: Int] = [:]  // track id → target
        for k in 0..<100 {
            let t = Double(k) * 0.1
            let truth = [crossing + (t - 5) * va, crossing + (t - 5) * vb]
            let detections = truth.map { detection($0 + 0.2 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian()), variance: 0.04) }
            _ = tracker.update(frameIndex: k, time: t, detections: detections)
            let confirmed = tracker.state.confirmedTracks
            #expect(confirmed.count <= 2)
            for track in confirmed {
                let nearest = truth[0].distance(to: track.position) < truth[1].distance(to: track.position) ? 0 : 1
                if abs(t - 5) > 0.5 {  // away from the moment both are at one point
                    if let o = owner[track.id] {
                        #expect(o == nearest, "track \(track.id) swapped to target \(nearest) at t = \(t)")
                    } else {
                        owner[track.id] = nearest
                    }
                }
            }
        }
        #expect(Set(owner.values) == [0, 1])
        #expect(owner.count == 2, "tracks seen: \(owner)")
    }

    /// Track life: a target seen from frame 0 is confirmed on its 3rd hit (3 of 5), coasts when
    /// it disappears and is deleted after 5 consecutive misses; a single false detection
    /// starts a tentative track that dies without ever being confirmed.
    @Test func trackLifeFollowsMOfNAndMisses() throws {
        var tracker = try makeTracker(TrackerSettings(confirmHits: 3, confirmWindow: 5, deleteAfterMisses: 5))
        var confirmedAt: Int?, deletedAt: Int?, oneOffGoneAt: Int?
        var statuses: [TrackStatus] = []
        for k in 0..<20 {
            var detections: [Detection] = []
            if k < 8 { detections.append(detection(Vec3(Double(k), 0, 0), variance: 0.01)) }
            if k == 2 { detections.append(detection(Vec3(500, 500, 0), variance: 0.01)) }
            let report = tracker.update(frameIndex: k, time: Double(k), detections: detections)
            if report.confirmed.contains(1) { confirmedAt = k }
            if report.deleted.contains(1) { deletedAt = k }
            if let t = tracker.state.tracks.first(where: { $0.id == 1 }) { statuses.append(t.status) }
            if k > 2 && oneOffGoneAt == nil && !tracker.state.tracks.contains(where: { $0.id == 2 }) { oneOffGoneAt = k }
            #expect(!report.confirmed.contains(2), "the one-off detection must never be confirmed")
        }
        #expect(confirmedAt == 2)
        #expect(statuses[0] == .tentative && statuses[2] == .confirmed && statuses[8] == .coasting)
        #expect(deletedAt == 12)  // misses at frames 8…12
        #expect(oneOffGoneAt == 5)  // born at 2; after three misses it cannot reach 3 of 5
        #expect(tracker.state.tracks.isEmpty)
        #expect(tracker.state.nextTrackId == 3)
    }

    /// NaN positions and non-positive-definite covariances are refused and counted; the twin
    /// is exactly as if they had not been sent.
    @Test func badDetectionsNeverReachTheTwin() throws {
        let settings = TrackerSettings(confirmHits: 1, confirmWindow: 1)
        var clean = try makeTracker(settings)
        var dirty = try makeTracker(settings)
        let bad = [
            detection(Vec3(.nan, 0, 0)),
            Detection(position: Vec3(1, 1, 1), covariance: SymmetricMatrix3(xx: 1, xy: 2, xz: 0, yy: 1, yz: 0, zz: 1)),
            Detection(position: Vec3(1, 1, 1), covariance: SymmetricMatrix3(xx: -1, xy: 0, xz: 0, yy: 1, yz: 0, zz: 1)),
            Detection(position: Vec3(1, 1, 1), covariance: SymmetricMatrix3(xx: .infinity, xy: 0, xz: 0, yy: 1, yz: 0, zz: 1)),
        ]
        for k in 0..<5 {
            let good = detection(Vec3(Double(k), 0, 0), variance: 0.1)
            _ = clean.update(frameIndex: k, time: Double(k), detections: [good])
            let report = dirty.update(frameIndex: k, time: Double(k), detections: bad + [good])
            #expect(report.rejected == 4)
            #expect(report.detectionTracks.prefix(4).allSatisfy { $0 == nil })
        }
        #expect(dirty.state.rejectedDetections == 20)
        var expected = clean.state
        expected.rejectedDetections = 20
        #expect(dirty.state == expected)
    }

    /// A tracker rebuilt from its state, encoded and decoded, continues bit for bit.
    @Test(arguments: ["gnn-cv", "jpda-imm"])
    func rebuiltFromPersistedStateContinuesIdentically(name: String) throws {
        let settings =
            name == "gnn-cv" ? TrackerSettings() : TrackerSettings(name: "jpda-imm", processNoise: 1, clutterDensity: 1e-3)
        var rng = SeededRandom(seed: 8)
        var frames: [[Detection]] = []
        for k in 0..<40 {
            var frame: [Detection] = []
            for i in 0..<6 {
                let noise = 0.3 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
                let p = Vec3(Double(i) * 7 + 0.5 * Double(k), Double(i % 2) * 3, 1)
                frame.append(detection(p + noise, variance: 0.09))
            }
            frame.append(detection(Vec3(rng.uniform(0, 50), rng.uniform(0, 10), 1), variance: 0.09))
            frames.append(frame)
        }
        var straight = try makeTracker(settings)
        for k in 0..<40 { _ = straight.update(frameIndex: k, time: Double(k) * 0.1, detections: frames[k]) }

        var first = try makeTracker(settings)
        for k in 0..<17 { _ = first.update(frameIndex: k, time: Double(k) * 0.1, detections: frames[k]) }
        let data = try CheckpointCoding.encode(first.state)
        var resumed = try makeTracker(settings, state: CheckpointCoding.decode(TwinState.self, from: data))
        for k in 17..<40 { _ = resumed.update(frameIndex: k, time: Double(k) * 0.1, detections: frames[k]) }
        #expect(resumed.state == straight.state)
        #expect(straight.state.confirmedTracks.count >= 6)
    }

    /// JPDA weights of two tracks sharing two detections equal the enumeration of the seven
    /// joint events done by hand.
    @Test func jpdaWeightsMatchHandEnumeration() throws {
        let settings = TrackerSettings(name: "jpda-cv", detectionProbability: 0.8, clutterDensity: 0.01)
        let tracker = jpdaAssociator(settings)
        let predicted = [
            cvState(Vec3(0, 0, 0), .zero, positionVariance: 1, velocityVariance: 1),
            cvState(Vec3(1.5, 0, 0), .zero, positionVariance: 1, velocityVariance: 1),
        ]
        let detections = [detection(Vec3(0.4, 0.2, 0), variance: 0.5), detection(Vec3(1.1, -0.3, 0), variance: 0.5)]
        let gated = GatingIndex.gatedPairs(predicted: predicted.map(PredictedPosition.init), detections: detections, gate: tracker.gate)
        #expect(gated.byTrack.map { $0.map(\.detection) } == [[0, 1], [0, 1]])
        let clusters = Clusters(tracks: 2, detections: 2, pairs: gated)
        let betas = tracker.betas(gated: gated, clusters: clusters)

        // By hand: g(t, d) = P_D N(z_d; x_t, P + R)/λ with S = 1.5 I; miss weight 1 − P_D P_G.
        func g(_ t: Int, _ d: Int) -> Double {
            let nu = detections[d].position - predicted[t].mean.position
            let density = exp(-0.5 * nu.normSquared / 1.5) / pow(2 * Double.pi * 1.5, 1.5)
            return 0.8 * density / 0.01
        }
        let m = 1 - 0.8 * 0.99
        let events: [(Double, [Int?])] = [
            (m * m, [nil, nil]), (g(0, 0) * m, [0, nil]), (g(0, 1) * m, [1, nil]), (m * g(1, 0), [nil, 0]),
            (m * g(1, 1), [nil, 1]), (g(0, 0) * g(1, 1), [0, 1]), (g(0, 1) * g(1, 0), [1, 0]),
        ]
        let total = events.reduce(0) { $0 + $1.0 }
        for t in 0..<2 {
            for d in 0..<2 {
                let expected = events.filter { $0.1[t] == d }.reduce(0) { $0 + $1.0 } / total
                #expect(abs(betas[t][d] - expected) < 1e-12, "β[\(t)][\(d)] = \(betas[t][d]), expected \(expected)")
            }
        }
    }

    /// The spatial index gates exactly the pairs an all-pairs test gates (800 tracks and 900
    /// detections, some with huge covariances that bypass the grid).
    @Test func spatialIndexGatesExactlyLikeAllPairs() throws {
        var rng = SeededRandom(seed: 21)
        let tracks = (0..<800).map { _ in
            cvState(
                Vec3(rng.uniform(0, 1000), rng.uniform(0, 1000), rng.uniform(0, 50)), .zero,
                positionVariance: rng.bernoulli(0.02) ? 400 : rng.uniform(0.5, 4), velocityVariance: 1)
        }
        let detections = (0..<900).map { i in
            i < 800 && rng.bernoulli(0.9)
                ? detection(
                    tracks[i].mean.position + 2 * Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian()), variance: rng.uniform(0.5, 3))
                : detection(Vec3(rng.uniform(0, 1000), rng.uniform(0, 1000), rng.uniform(0, 50)), variance: rng.bernoulli(0.05) ? 900 : 1)
        }
        let gate = chiSquareQuantile(probability: 0.99, degreesOfFreedom: 3)
        let indexed = GatingIndex.gatedPairs(predicted: tracks.map(PredictedPosition.init), detections: detections, gate: gate)
        var expected = 0
        for t in tracks.indices {
            var mine: [Int] = []
            for d in detections.indices {
                if let inn = PositionInnovation(
                    predicted: tracks[t], position: detections[d].position, covariance: detections[d].covariance),
                    inn.distanceSquared <= gate
                {
                    mine.append(d)
                }
            }
            expected += mine.count
            #expect(indexed.byTrack[t].map(\.detection) == mine)
        }
        #expect(expected > 700)
    }

    /// The class estimate follows the RCS: detections near the car class's mean make the
    /// track a car with high probability.
    @Test func classEstimateFromRadarCrossSection() throws {
        let classes = [
            TargetClass(name: "person", meanDbsm: -1, spreadDb: 3), TargetClass(name: "car", meanDbsm: 15, spreadDb: 4),
            TargetClass(name: "small-uav", meanDbsm: -20, spreadDb: 4),
        ]
        var tracker = try makeTracker(TrackerSettings(classes: classes))
        var rng = SeededRandom(seed: 2)
        for k in 0..<10 {
            var d = detection(Vec3(Double(k), 0, 0), variance: 0.1)
            d.rcsDbsm = 14 + 4 * rng.gaussian()
            d.rcsVariance = 4
            _ = tracker.update(frameIndex: k, time: Double(k), detections: [d])
        }
        let estimate = try #require(tracker.state.tracks.first?.classEstimate)
        #expect(estimate.index == 1)
        #expect(estimate.probability > 0.99)
    }

    @Test func invalidSettingsAreNamed() {
        var s = TrackerSettings()
        s.confirmHits = 7
        s.gateProbability = 1.5
        s.name = "jpda-cv"
        s.measurement = .raw
        #expect(throws: TrackerSettingsError.self) { try Trackers.make(s) }
        let fields = s.problems.map(\.field)
        #expect(fields == ["gateProbability", "confirmHits", "measurement"])
        var unknown = TrackerSettings()
        unknown.name = "gnn-xyz"
        #expect(unknown.problems.map(\.field) == ["name"])
        // Motion models that cannot share a state are refused by the composition.
        #expect(IMMPredictor.problem([MotionSettings(model: .constantAcceleration, processNoise: 1), MotionSettings(model: .constantTurn, processNoise: 1)])?.field == "name")
    }

    /// Over the JPDA budget, the cheap approximation gives weights that are probabilities
    /// (each track's sum ≤ 1) ordered like the exact ones.
    @Test func cheapJPDAIsUsedBeyondTheBudgetAndStaysAProbability() throws {
        let exact = jpdaAssociator(TrackerSettings(name: "jpda-cv", clutterDensity: 0.01))
        let cheap = jpdaAssociator(TrackerSettings(name: "jpda-cv", clutterDensity: 0.01, jpdaHypothesisBudget: 3))
        let predicted = (0..<3).map { cvState(Vec3(Double($0), 0, 0), .zero, positionVariance: 1, velocityVariance: 1) }
        let detections = [
            detection(Vec3(0.1, 0, 0), variance: 0.5), detection(Vec3(1.2, 0.2, 0), variance: 0.5),
            detection(Vec3(2.1, 0, 0), variance: 0.5),
        ]
        let gated = GatingIndex.gatedPairs(predicted: predicted.map(PredictedPosition.init), detections: detections, gate: exact.gate)
        let clusters = Clusters(tracks: 3, detections: 3, pairs: gated)
        #expect(clusters.count == 1)
        let b = exact.betas(gated: gated, clusters: clusters)
        let c = cheap.betas(gated: gated, clusters: clusters)
        #expect(b != c)  // the budget of 3 events forced the approximation
        for t in 0..<3 {
            #expect(c[t].reduce(0, +) <= 1 + 1e-12 && c[t].allSatisfy { $0 >= 0 })
            // The nearest detection (index t) gets the largest weight in both.
            #expect(b[t].indices.max { b[t][$0] < b[t][$1] } == c[t].indices.max { c[t][$0] < c[t][$1] })
        }
    }
}
