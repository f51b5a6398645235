import Foundation
import Testing
import TwinWorld

@testable import TwinEngine

/// `run --fidelity`: applied to every link class, validated, and kept for `--resume`.
@Suite struct WaveformRunTests {
    let tiny = packageRoot.appendingPathComponent("worlds/tiny.yaml").path

    @Test func fidelityOverrideAppliesToEveryLinkClassAndRuns() throws {
        let sim = try Simulation(worldFile: tiny, options: RunOptions(duration: 0.3, mode: .trpTrp, fidelity: "waveform"))
        #expect(sim.spec.sensing.fidelity == .all(.waveform))
        let summary = try sim.run()
        #expect(summary.frames == 3)
        #expect(summary.links == 2)
        // Without the option the world's own (abstract) fidelity stays.
        #expect(try Simulation(worldFile: tiny, options: RunOptions()).spec.sensing.fidelity == .all(.abstract))
    }

    @Test func fidelityIsStoredForResume() throws {
        let stored = StoredRunOptions(RunOptions(fidelity: "waveform"))
        let decoded = try JSONDecoder().decode(StoredRunOptions.self, from: JSONEncoder().encode(stored))
        #expect(decoded.options(recordPath: "r.sqlite", commandLine: "x").fidelity == "waveform")
        // Recordings written before the option existed decode with no override.
        let old = #"{"overrides":[],"recordObservations":true,"batchFrames":50}"#
        #expect(try JSONDecoder().decode(StoredRunOptions.self, from: Data(old.utf8)).fidelity == nil)
    }

    @Test func waveformOverrideIsValidatedAgainstTheUnambiguousRange() {
        // maxRange 400 m: 2 × 400 > c/(4 × 120 kHz) = 624.57 m.
        do {
            _ = try Simulation(
                worldFile: tiny,
                options: RunOptions(overrides: [WorldOverride(key: "sensing.maxRange", value: "400")], fidelity: "waveform"))
            Issue.record("accepted a world whose unambiguous range is too short")
        } catch let error as WorldFileError {
            #expect(error.problems.count == 2)
            #expect(error.problems.first?.key.hasSuffix("(with --fidelity waveform)") == true)
            #expect(error.problems.first?.found == "c/(4 × 120 kHz) = 624.568 m")
        } catch {
            Issue.record("\(error)")
        }
    }
}
