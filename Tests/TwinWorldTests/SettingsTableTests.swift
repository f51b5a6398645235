import Testing
import TwinConfiguration
import TwinTracking

@testable import TwinWorld

/// The key tables' reader: each problem once, at its key, and no cross-key rule about a value
/// the file never gave.
@Suite struct SettingsTableTests {
    /// A missing `dt` is reported; the frame-count rule, which would compare the duration with a
    /// default time step, is not.
    @Test func crossKeyRulesWaitForEveryValue() {
        let p = problems(factoryYAML(simulation: "  duration: 0.05"))
        #expect(p.map(\.key) == ["simulation.dt"])
        #expect(p.first?.found == "no such key")
        // With every key given, the rule runs.
        let both = problems(factoryYAML(simulation: "  dt: 0.1\n  duration: 0.05"))
        #expect(both.map(\.key) == ["simulation.duration"])
        #expect(both.first?.expected == "a duration of at least one time step (0.1 s)")
    }

    /// Every bad value of a section is reported, each at its own line (the old reader stopped
    /// at the first).
    @Test func everyBadValueOfASectionIsReported() {
        let p = problems(factoryYAML() + "\nhandover:\n  clusterSize: 0\n  hysteresisDb: 99\n  policy: sometimes\n")
        #expect(Set(p.map(\.key)) == ["handover.clusterSize", "handover.hysteresisDb", "handover.policy"])
        #expect(Set(p.compactMap(\.line)).count == 3)
    }

    /// `fidelity` as something that is neither a name nor a mapping says what it can be.
    @Test func fidelityOfTheWrongShapeSaysWhatItCanBe() {
        let list = problems(factoryYAML() + "\nsensing:\n  fidelity: [waveform]\n")
        #expect(list.first?.key == "sensing.fidelity")
        #expect(list.first?.expected.contains("a mapping {monostatic:, trp-trp:, trp-ue:, cell-free:}") == true)
    }

    /// Settings built in code with an impossible window are reported, never trapped on.
    @Test func codeBuiltTrackerSettingsWithoutAWindowAreReported() {
        var s = TrackerSettings()
        s.confirmWindow = 0  // and the default 3 hits cannot fit in it
        #expect(s.problems.map(\.field) == ["confirmWindow", "confirmHits"])
        s.confirmWindow = -3
        s.confirmHits = 1
        #expect(s.problems.map(\.field) == ["confirmWindow"])
    }

    /// A nested group's keys are read back and checked from code like the file's.
    @Test func nestedGroupsAreCheckedFromCode() {
        var ue = UESpec.default
        ue.gnssOutlierProbability = 2
        ue.clockOffsetMax = -1e-9
        #expect(UESpec.table.problems(of: ue).map(\.key) == ["gnss.outlierProbability", "clock.maxOffsetNs"])
        var simulation = SimulationSpec(dt: 0.1, duration: 1, seed: 7)
        #expect(SimulationSpec.table.problems(of: simulation).isEmpty)
        simulation.duration = 0.01
        #expect(SimulationSpec.table.problems(of: simulation).map(\.key) == ["duration"])
    }
}
