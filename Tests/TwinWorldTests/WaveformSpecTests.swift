import Foundation
import Testing
import TwinWorld

/// `sensing.fidelity` and `sensing.waveform`: decoded, defaulted and validated.
@Suite struct WaveformSpecTests {
    func world(_ sensing: String, infrastructure: String = "") -> String {
        factoryYAML(
            infrastructure: infrastructure.isEmpty
                ? "infrastructure:\n  baseStations:\n    - {name: a, position: [5, 5, 6]}\n    - {name: b, position: [35, 15, 6]}"
                : infrastructure) + "\nsensing:\n" + sensing
    }

    @Test func defaultsAreAbstract() throws {
        let spec = try WorldSpec.decode(yaml: world("  mode: trp-trp"), file: "t.yaml")
        #expect(spec.sensing.fidelity == SensingFidelityPlan())
        #expect(!spec.sensing.fidelity.usesWaveform)
        #expect(spec.sensing.waveform == WaveformSpec.default)
        #expect(try shippedWorld("factory").sensing.fidelity == SensingFidelityPlan())
    }

    @Test func oneWordOrAMappingPerLinkClass() throws {
        let all = try WorldSpec.decode(yaml: world("  fidelity: waveform"), file: "t.yaml")
        #expect(all.sensing.fidelity == .all(.waveform))
        let some = try WorldSpec.decode(
            yaml: world("  fidelity: {trp-trp: waveform, monostatic: abstract}\n  waveform: {comb: 2, window: none, cfarPfa: 1e-4}"),
            file: "t.yaml")
        #expect(some.sensing.fidelity == SensingFidelityPlan(trpTrp: "waveform"))
        #expect(some.sensing.fidelity.fidelity(linkClass: "trp-trp") == "waveform")
        #expect(some.sensing.fidelity.fidelity(linkClass: "cell-free") == "abstract")
        #expect(some.sensing.waveform.comb == 2 && some.sensing.waveform.window == WaveformWindow.none)
        #expect(some.sensing.waveform.cfarPfa == 1e-4)
    }

    @Test func badValuesAreErrorsNamingTheKey() {
        let word = problems(world("  fidelity: wavefrom"))
        #expect(word.count == 1)
        #expect(word.first?.key == "sensing.fidelity")
        #expect(word.first?.expected == "a measurement model: one of 'abstract', 'waveform'")
        #expect(word.first?.found == "'wavefrom' (did you mean 'waveform'?)")
        #expect(word.first?.line != nil)

        let list = problems(world("  fidelity: [waveform]"))
        #expect(list.first?.key == "sensing.fidelity")
        #expect(list.first?.found == "a list of 1 item")

        let typo = problems(world("  fidelity: {trp-trpp: waveform}"))
        #expect(typo.first?.key == "sensing.fidelity.trp-trpp")
        #expect(typo.first?.found.contains("did you mean 'trp-trp'") == true)

        let comb = problems(world("  waveform: {comb: 3}"))
        #expect(comb.first?.key == "sensing.waveform.comb")
        #expect(comb.first?.expected == "a comb of 1, 2, 4, 6, 8, 12 subcarriers")

        let pfa = problems(world("  waveform: {cfarPfa: .nan}"))
        #expect(pfa.first?.key == "sensing.waveform.cfarPfa")
        #expect(problems(world("  waveform: {window: hamming}")).first?.key == "sensing.waveform.window")
    }

    @Test func anglesAreDrawnByDefaultOrMUSIC() throws {
        #expect(WaveformSpec.default.angles == .crlb)
        let music = try WorldSpec.decode(yaml: world("  fidelity: waveform\n  waveform: {angles: music}"), file: "t.yaml")
        #expect(music.sensing.waveform.angles == .music)
        var stored = WaveformSpec.default
        stored.angles = .music
        #expect(WaveformSpec.default.angleErrorFloor == 0.01)
        let floor = problems(world("  waveform: {angleErrorFloor: 2}"))
        #expect(floor.first?.key == "sensing.waveform.angleErrorFloor")
        #expect(floor.first?.expected == "a standard deviation in Rayleigh widths from 0 to 1")
        let bad = problems(world("  waveform: {angles: esprit}"))
        #expect(bad.count == 1)
        #expect(bad.first?.key == "sensing.waveform.angles")
        #expect(bad.first?.expected == "one of 'music', 'crlb'")
        // Settings stored before the key existed decode as the draws they made.
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stored)) as! [String: Any]
        #expect(old["angles"] as? String == "music")
        old["angles"] = nil
        let decoded = try JSONDecoder().decode(WaveformSpec.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.angles == .crlb)
        #expect(decoded.comb == WaveformSpec.default.comb && decoded.rangeErrorFloor == WaveformSpec.default.rangeErrorFloor)
    }

    @Test func unambiguousRangeMustCoverTwiceMaxRange() {
        // 28 GHz defaults: Δf = 120 kHz; comb 12 → c/(12·120 kHz) = 208.2 m < 2 × 300 m.
        let bad = problems(world("  fidelity: waveform\n  waveform: {comb: 12}"))
        #expect(bad.count == 2)  // one per base station
        #expect(bad.first?.key.contains("sensing.waveform.comb") == true)
        #expect(bad.first?.found == "c/(12 × 120 kHz) = 208.189 m")
        // The same comb with a 100 m maxRange (2 × 100 < 208.2) is fine; abstract never checks.
        #expect(problems(world("  fidelity: waveform\n  maxRange: 100\n  waveform: {comb: 12}")).isEmpty)
        #expect(problems(world("  waveform: {comb: 12}")).isEmpty)
    }
}
