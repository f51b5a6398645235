import Foundation
import Testing
import TwinMath
import TwinWorld

/// The shipped world files (worlds/*.yaml), by name.
func shippedWorldNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("worlds").path)
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
}

struct WorldCheckpointTests {
    @Test func everyShippedWorldIsCovered() throws {
        let names = try shippedWorldNames()
        #expect(Set(["factory", "road", "tiny"]).isSubset(of: names))
    }

    /// Steps a world, checkpoints it through bytes, restores a fresh world from the same spec and
    /// checks both step on identically. A dt of 1 s gets walkers out of their first pause and
    /// splits traffic steps into substeps before the checkpoint.
    @Test(arguments: [0.0, 1.0])
    func restoredWorldStepsOnIdentically(dtOverride: Double) throws {
        for name in try shippedWorldNames() {
            let spec = try shippedWorld(name)
            let dt = dtOverride > 0 ? dtOverride : spec.simulation.dt
            var world = try World(spec: spec)
            for _ in 0..<7 { world.step(dt: dt) }
            let checkpoint = world.checkpoint()
            let data = try CheckpointCoding.encode(checkpoint)
            let decoded = try CheckpointCoding.decode(WorldCheckpoint.self, from: data)
            #expect(decoded == checkpoint, "\(name)")
            #expect(try CheckpointCoding.encode(decoded) == data, "\(name)")
            #expect(decoded.frameIndex == 7)

            var resumed = try World(spec: spec)
            try resumed.restore(decoded)
            #expect(resumed.frameIndex == world.frameIndex && resumed.time == world.time)
            #expect(resumed.moverStates() == world.moverStates(), "\(name)")
            for _ in 0..<9 {
                let a = world.step(dt: dt), b = resumed.step(dt: dt)
                #expect(a == b, "\(name): frame \(a.frameIndex)")
            }
            #expect(resumed.checkpoint() == world.checkpoint(), "\(name)")
        }
    }

    @Test func restoringIntoAnotherWorldThrows() throws {
        let spec = try shippedWorld("factory")
        var world = try World(spec: spec)
        for _ in 0..<3 { world.step(dt: 0.1) }
        let checkpoint = world.checkpoint()

        // One worker fewer.
        var fewer = spec
        let workers = try #require(fewer.movers.firstIndex { $0.name == "worker" })
        fewer.movers[workers].count -= 1
        var other = try World(spec: fewer)
        let before = other.checkpoint()
        let error = try #require(throws: CheckpointMismatch.self) { try other.restore(checkpoint) }
        #expect(error.subject == "world")
        #expect(error.problems.contains("walkers: the checkpoint has 10, this world has 9"))
        #expect(error.problems.contains("movers: the checkpoint has 17, this world has 16"))
        #expect(error.description.hasPrefix("cannot restore the world checkpoint (taken with another world file or sensing mode?): "))
        #expect(other.checkpoint() == before, "a failed restore leaves the world alone")

        // Same counts, another seed: every random stream differs.
        var reseeded = spec
        reseeded.simulation.seed += 1
        var third = try World(spec: reseeded)
        let seedError = try #require(throws: CheckpointMismatch.self) { try third.restore(checkpoint) }
        #expect(seedError.problems.contains { $0.hasPrefix("lane-following movers agv-1, agv-2, agv-3 and 3 more: random streams") })
        #expect(seedError.problems.contains { $0.hasPrefix("walkers worker-1") })

        // A shorter mission: the drone would fly to a waypoint that no longer exists.
        var shorter = spec
        let drone = try #require(shorter.movers.firstIndex { $0.name == "drone" })
        guard case .waypoints(var mission) = shorter.movers[drone].motion else { Issue.record("drone has no mission"); return }
        mission.waypoints = Array(mission.waypoints.prefix(1))
        shorter.movers[drone].motion = .waypoints(mission)
        var fourth = try World(spec: shorter)
        let missionError = try #require(throws: CheckpointMismatch.self) { try fourth.restore(checkpoint) }
        #expect(missionError.problems == ["UAV drone: flies to waypoint 2, its mission has 1"])
    }
}
