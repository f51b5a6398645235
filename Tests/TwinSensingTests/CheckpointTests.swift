import Foundation
import Testing
import TwinMath
import TwinWorld

@testable import TwinSensing

/// One resume case: a shipped world, a sensing mode (nil: the world file's) and a frame step
/// (nil: the world file's dt).
struct ResumeCase: Sendable, CustomTestStringConvertible {
    var world: String
    var mode: SensingMode? = nil
    var dt: Double? = nil
    var before = 7
    /// Background reflectors to add (their legs to base stations are evaluated once and carried over).
    var reflectors = 0

    var testDescription: String {
        "\(world) \(mode?.rawValue ?? "default mode") dt \(dt.map { "\($0)" } ?? "default") after \(before)"
            + (reflectors > 0 ? " with \(reflectors) reflectors" : "")
    }
}

/// The shipped world files (worlds/*.yaml), by name.
private func shippedWorldNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("worlds").path)
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
}

private func shipped(_ name: String) throws -> WorldSpec {
    try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/\(name).yaml").path)
}

/// Every shipped world in its own mode, the factory with UEs (trp-ue, hybrid) and coarse steps
/// (walkers walking, the UAV between waypoints), the tiny hall in every mode and from frame 0,
/// and background reflectors (none in the shipped worlds).
private let resumeCases: [ResumeCase] =
    ((try? shippedWorldNames()) ?? ["factory", "road", "tiny"]).map { ResumeCase(world: $0) }
    + [
        ResumeCase(world: "factory", mode: .trpUE), ResumeCase(world: "factory", mode: .hybrid, dt: 1),
        ResumeCase(world: "factory", dt: 1), ResumeCase(world: "road", dt: 1),
        ResumeCase(world: "tiny", before: 0), ResumeCase(world: "tiny", mode: .hybrid, reflectors: 20),
        ResumeCase(world: "factory", reflectors: 30),
        // Second bands on BS–BS links too (direct paths fused).
        ResumeCase(world: "factory-multiband", mode: .trpTrp),
    ]
    + SensingMode.allCases.map { ResumeCase(world: "tiny", mode: $0, dt: 0.7) }

struct SensingCheckpointTests {
    @Test func coversEveryShippedWorldAndMoverKind() throws {
        #expect(Set(["factory", "road", "tiny"]).isSubset(of: try shippedWorldNames()))
        let factory = try World(spec: try shipped("factory"))
        let classes = Set(factory.movers.map(\.moverClass))
        #expect(classes.isSuperset(of: [.agv, .person, .uav]), "lane-following, walking and flying movers")
        #expect(factory.movers.contains { $0.carriesUE })
        let road = try World(spec: try shipped("road"))
        #expect(Set(road.movers.map(\.moverClass)).isSuperset(of: [.vehicle, .person, .uav]))
    }

    /// Runs `before` frames, checkpoints world and sensing through bytes, builds both afresh from
    /// the same spec, restores, and runs the original and the restored pair 9 more frames: every
    /// snapshot, observation, truth label and the statistics must be identical.
    @Test(arguments: resumeCases)
    func resumedRunIsIdentical(_ run: ResumeCase) throws {
        var spec = try shipped(run.world)
        if run.reflectors > 0 { spec.sensing.backgroundReflectors = run.reflectors }
        let dt = run.dt ?? spec.simulation.dt
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: run.mode)
        for _ in 0..<run.before { _ = sensing.observe(world.step(dt: dt)) }

        let worldData = try CheckpointCoding.encode(world.checkpoint())
        let sensingData = try CheckpointCoding.encode(sensing.checkpoint())
        let worldCheckpoint = try CheckpointCoding.decode(WorldCheckpoint.self, from: worldData)
        let sensingCheckpoint = try CheckpointCoding.decode(SensingCheckpoint.self, from: sensingData)
        #expect(worldCheckpoint == world.checkpoint())
        #expect(sensingCheckpoint == sensing.checkpoint())
        #expect(sensingCheckpoint.statistics.frames == run.before)

        var resumedWorld = try World(spec: spec)
        var resumedSensing = SensingEngine(world: spec, movers: resumedWorld.movers, mode: run.mode)
        try resumedWorld.restore(worldCheckpoint)
        try resumedSensing.restore(sensingCheckpoint)
        #expect(try CheckpointCoding.encode(resumedSensing.checkpoint()) == sensingData)

        var measurements = 0, background = 0
        for _ in 0..<9 {
            let snapshot = world.step(dt: dt), resumedSnapshot = resumedWorld.step(dt: dt)
            #expect(snapshot == resumedSnapshot, "frame \(snapshot.frameIndex)")
            let (observations, truth) = sensing.observe(snapshot)
            let (resumedObservations, resumedTruth) = resumedSensing.observe(resumedSnapshot)
            #expect(observations == resumedObservations, "frame \(snapshot.frameIndex)")
            #expect(truth == resumedTruth, "frame \(snapshot.frameIndex)")
            measurements += observations.measurements.count
            background += truth.labels.count { $0.pathType == .background }
        }
        #expect(measurements > 0, "the comparison compared something")
        #expect((background > 0) == (run.reflectors > 0))
        #expect(sensing.statistics == resumedSensing.statistics)
        #expect(sensing.checkpoint() == resumedSensing.checkpoint())
        #expect(world.checkpoint() == resumedWorld.checkpoint())
    }

    @Test func restoringIntoAnotherEngineThrows() throws {
        let spec = try shipped("factory")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers, mode: .hybrid)
        for _ in 0..<3 { _ = sensing.observe(world.step(dt: 0.1)) }
        let checkpoint = sensing.checkpoint()

        // One worker fewer: fewer targets, legs and UE anchors.
        var fewer = spec
        let workers = try #require(fewer.movers.firstIndex { $0.name == "worker" })
        fewer.movers[workers].count -= 1
        let fewerWorld = try World(spec: fewer)
        var other = SensingEngine(world: fewer, movers: fewerWorld.movers, mode: .hybrid)
        let error = try #require(throws: CheckpointMismatch.self) { try other.restore(checkpoint) }
        #expect(error.subject == "sensing")
        #expect(error.problems.contains("mover RCS processes: the checkpoint has 17, this engine has 16"))
        #expect(error.description.contains("leg states (anchors × targets): the checkpoint has"))
        #expect(other.statistics.frames == 0, "a failed restore leaves the engine alone")

        // Same world, another mode: other links.
        var monostatic = SensingEngine(world: spec, movers: world.movers, mode: .monostatic)
        let modeError = try #require(throws: CheckpointMismatch.self) { try monostatic.restore(checkpoint) }
        #expect(modeError.problems.contains { $0.hasPrefix("links: the checkpoint has") })
    }
}
