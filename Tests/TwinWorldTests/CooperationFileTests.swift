import Foundation
import Testing
import TwinWorld

@Suite struct CooperationFileTests {
    func yaml(_ cooperation: String) -> String {
        factoryYAML() + "\noperators:\n  - {name: op-a}\n  - {name: op-b, clockOffsetNs: 100}\n" + cooperation
    }

    @Test func absentSectionMeansNoCooperation() throws {
        #expect(try WorldSpec.decode(yaml: yaml(""), file: "t.yaml").cooperation == nil)
        #expect(try shippedWorld("road").cooperation == nil)
    }

    @Test func sectionDecodesWithDefaults() throws {
        let spec = try WorldSpec.decode(yaml: yaml("cooperation: {policy: track-sharing}"), file: "t.yaml")
        #expect(spec.cooperation == CooperationSpec(policy: .trackSharing, calibration: true, reference: 0, associationGate: 16.27))
        let other = try WorldSpec.decode(
            yaml: yaml("cooperation: {policy: isolated, calibration: false, reference: op-b, associationGate: 9}"), file: "t.yaml")
        #expect(other.cooperation == CooperationSpec(policy: .isolated, calibration: false, reference: 1, associationGate: 9))
        let clockOnly = try WorldSpec.decode(
            yaml: yaml("cooperation: {policy: measurement-sharing, calibration: true, frameCalibration: false}"), file: "t.yaml")
        #expect(clockOnly.cooperation?.clockCalibration == true && clockOnly.cooperation?.frameCalibration == false)
        #expect(clockOnly.cooperation?.calibration == false)
        let shipped = try shippedWorld("road-two-operators")
        #expect(shipped.cooperation?.policy == .measurementSharing)
        // --set cooperation.calibration=false and --cooperation (cooperation.policy) go through the decoder.
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path, encoding: .utf8)
        let overridden = try WorldSpec.decode(
            yaml: text, file: "r.yaml",
            overrides: [
                WorldOverride(key: "cooperation.calibration", value: "false"), WorldOverride(key: "cooperation.policy", value: "isolated"),
            ])
        #expect(overridden.cooperation == CooperationSpec(policy: .isolated, calibration: false))
    }

    @Test func misspeltPolicySuggestsTheClosest() {
        let p = problems(yaml("cooperation: {policy: measurment-sharing}"))
        #expect(p.count == 1)
        #expect(p.first?.key == "cooperation.policy")
        #expect(p.first?.expected == "one of 'isolated', 'measurement-sharing', 'track-sharing'")
        #expect(p.first?.found == "'measurment-sharing' (did you mean 'measurement-sharing'?)")
    }

    @Test func otherMistakesAreNamed() {
        let unknown = problems(yaml("cooperation: {policy: isolated, calibrate: false}"))
        #expect(unknown.first?.key == "cooperation.calibrate")
        #expect(unknown.first?.found.contains("did you mean 'calibration'") == true)
        let policy = problems(yaml("cooperation: {calibration: true}")).first
        #expect(policy?.key == "cooperation.policy" && policy?.found == "no such key")
        #expect(policy?.expected == "one of 'isolated', 'measurement-sharing', 'track-sharing'")
        let reference = problems(yaml("cooperation: {policy: isolated, reference: op-c}"))
        #expect(reference.first?.key == "cooperation.reference")
        #expect(reference.first?.found == "'op-c' (did you mean 'op-a'?)")
        #expect(problems(yaml("cooperation: {policy: isolated, calibration: maybe}")).first?.key == "cooperation.calibration")
        #expect(problems(yaml("cooperation: {policy: isolated, clockCalibration: 2}")).first?.key == "cooperation.clockCalibration")
        #expect(problems(yaml("cooperation: {policy: isolated, associationGate: .nan}")).first?.key == "cooperation.associationGate")
        #expect(problems(yaml("cooperation: isolated")).first?.key == "cooperation")
    }

    @Test func risPanelsUnderCooperationAreRefusedUnlessRISSensingIsOff() throws {
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("worlds/factory-ris.yaml").path, encoding: .utf8)
        let withCooperation = text + "\noperators:\n  - {name: op-a}\ncooperation: {policy: isolated}\n"
        let p = problems(withCooperation)
        #expect(p.count == 1)
        #expect(p.first?.key == "cooperation")
        #expect(p.first?.found == "2 RIS panel(s) with RIS sensing on")
        let off = try WorldSpec.decode(
            yaml: withCooperation, file: "r.yaml", overrides: [WorldOverride(key: "sensing.ris", value: "false")])
        #expect(off.cooperation?.policy == .isolated)
    }
}
