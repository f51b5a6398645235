import Foundation
import Testing
import TwinConfiguration
import TwinTracking
import TwinWorld

@testable import TwinEngine

/// worlds/README.md's key tables are generated from the stages' key tables (the one
/// declaration of each key), and the engine's component catalogue checks world files.
@Suite struct KeyReferenceTests {
    let readme = packageRoot.appendingPathComponent("worlds/README.md").path

    /// Every section's block in worlds/README.md is exactly the generated table: a key added,
    /// renamed or re-documented in code without `isac-twin keys --update worlds/README.md`
    /// fails here.
    @Test(arguments: KeyReference.sections)
    func worldsReadmeMatchesTheKeyTables(section: String) throws {
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        let block = try #require(KeyReference.block(section, in: text), "worlds/README.md has no block for \(section)")
        #expect(block == KeyReference.markdown(section, builtInOnly: true), "run `isac-twin keys --update worlds/README.md`")
    }

    /// Every key a section decodes is in its table's rows, and every row names a key the
    /// reader accepts: a world file with each documented key set to its default decodes to
    /// the defaults (here for the tracker, whose rows are all scalars).
    @Test func trackerRowsAreTheKeysTheReaderAccepts() throws {
        let rows = try #require(KeyReference.markdown("tracker", builtInOnly: true)).split(separator: "\n").dropFirst(2)
        let keys = rows.map { $0.split(separator: "`")[1] }
        #expect(keys == TrackerSettings.table.keys.map { Substring($0.name) })
        let world = try String(contentsOfFile: packageRoot.appendingPathComponent("worlds/tiny.yaml").path, encoding: .utf8)
        let d = TrackerSettings.defaults
        let overrides = [
            "name=\(d.name)", "measurement=\(d.measurement.rawValue)", "processNoise=\(d.processNoise)",
            "turnRateNoise=\(d.turnRateNoise)", "switchProbability=\(d.switchProbability)", "gateProbability=\(d.gateProbability)",
            "confirmWindow=\(d.confirmWindow)", "confirmHits=\(d.confirmHits)", "deleteAfterMisses=\(d.deleteAfterMisses)",
            "maxPositionSigma=\(d.maxPositionSigma)", "initialVelocitySigma=\(d.initialVelocitySigma)",
            "initialAccelerationSigma=\(d.initialAccelerationSigma)", "initialTurnRateSigma=\(d.initialTurnRateSigma)",
            "detectionProbability=\(d.detectionProbability)", "clutterDensity=\(d.clutterDensity)",
            "jpdaHypothesisBudget=\(d.jpdaHypothesisBudget)",
        ].map { WorldOverride(parsing: "tracker." + $0)! }
        #expect(overrides.count == keys.count)
        let spec = try WorldSpec.decode(yaml: world, file: "tiny.yaml", overrides: overrides, components: Components.catalogue)
        #expect(spec.tracker == d)
    }

    /// The catalogue sees every registry: misspelt component names are refused with the
    /// registered names and a hint, at the key's line.
    @Test(arguments: [
        ("localizer.name", "gauss-newtn", "gauss-newton"), ("tracker.name", "jpda-imn", "jpda-imm"),
        ("sensing.channel", "radar-equaton", "radar-equation"), ("sensing.fidelity", "wavefrom", "waveform"),
    ])
    func misspeltComponentsAreRefused(key: String, typo: String, hint: String) throws {
        let world = try String(contentsOfFile: packageRoot.appendingPathComponent("worlds/tiny.yaml").path, encoding: .utf8)
        do {
            _ = try WorldSpec.decode(
                yaml: world, file: "tiny.yaml", overrides: [WorldOverride(key: key, value: typo)], components: Components.catalogue)
            Issue.record("\(key): \(typo) was accepted")
        } catch let error as WorldFileError {
            let p = try #require(error.problems.first)
            #expect(error.problems.count == 1 && p.key == key)
            #expect(p.found == "'\(typo)' (did you mean '\(hint)'?)")
            #expect(p.expected.contains("'\(hint)'"))
        }
    }

    /// Settings built in code are checked through the same rules as the file's values.
    @Test func codeBuiltSettingsAreCheckedByTheTable() {
        var s = TrackerSettings()
        s.clutterDensity = 0
        s.confirmWindow = 40
        #expect(TrackerSettings.table.problems(of: s).map(\.key) == ["confirmWindow", "clutterDensity"])
        var h = HandoverSpec.default
        h.clusterSize = 17
        #expect(HandoverSpec.table.problems(of: h).map(\.key) == ["clusterSize"])
        #expect(SensingSpec.table.problems(of: .default).isEmpty && UESpec.table.problems(of: .default).isEmpty)
    }
}
