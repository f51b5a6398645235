import Foundation
import Testing
import TwinEngine
import TwinMetrics
import TwinWorld

/// worlds/factory-ris.yaml: the walkers of the walled blind zone (x 43…60, y 27…40) are heard
/// and localised through the RIS panels, and not at all without them.
@Suite struct RISRunTests {
    let world = packageRoot.appendingPathComponent("worlds/factory-ris.yaml").path
    let zone = FloorRegion(minimum: SIMD2(43, 27), maximum: SIMD2(60, 40))

    func run(ris: Bool) throws -> RecordingMetrics {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ris-\(ris)-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = RunOptions(
            duration: 3, recordPath: path, overrides: [WorldOverride(key: "sensing.ris", value: ris ? "true" : "false")])
        _ = try Simulation(worldFile: world, options: options).run()
        return try RecordingMetrics(path: path, settings: MetricsSettings(), region: zone)
    }

    @Test func blindZoneTargetsAreLocalisedOnlyWithRIS() throws {
        let on = try run(ris: true), off = try run(ris: false)
        // The three zone walkers, every frame, in both runs (targets by truth, heard or not).
        #expect(on.raw.continuity.frames == 90 && off.raw.continuity.frames == 90)
        // Without the panels no TRP sees into the zone: nothing is localised there.
        #expect(off.raw.continuity.covered == 0)
        // With them, most frames localise each walker (within 1 m).
        #expect(on.raw.continuity.overall > 0.8, "continuity \(on.raw.continuity.overall)")
        for target in on.raw.continuity.targets { #expect(target.fraction > 0.5, "target \(target.id): \(target.fraction)") }
    }
}
