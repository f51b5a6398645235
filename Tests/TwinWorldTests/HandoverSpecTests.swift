import Testing
import TwinMath

@testable import TwinWorld

/// The `handover` section: defaults, every key read, bad values and typos reported.
struct HandoverSpecTests {
    @Test func absentSectionIsPolicyNoneWithDefaults() throws {
        let spec = try WorldSpec.decode(yaml: factoryYAML(), file: "t.yaml")
        #expect(spec.handover == .default)
        #expect(spec.handover.policy == .none)
    }

    @Test func everyKeyIsRead() throws {
        let yaml =
            factoryYAML()
                + """

                handover: {policy: predictive, hysteresisDb: 2.5, timeToTrigger: 0.16, predictionHorizon: 0.8, clusterSize: 3,
                           searchPeriod: 2, executionDelay: 0.05, pingPongWindow: 1.5, thresholdDb: 16, referenceRCSDbsm: -10,
                           minBeamRadius: 4}
                """
        let h = try WorldSpec.decode(yaml: yaml, file: "t.yaml").handover
        #expect(
            h
                == HandoverSpec(
                    policy: .predictive, hysteresisDb: 2.5, timeToTrigger: 0.16, predictionHorizon: 0.8, clusterSize: 3, searchPeriod: 2,
                    executionDelay: 0.05, pingPongWindow: 1.5, thresholdDb: 16, referenceRCSDbsm: -10, minBeamRadius: 4))
    }

    @Test func badPolicyAndValuesAreReported() {
        let p = problems(factoryYAML() + "\nhandover: {policy: hysterisis}\n")
        #expect(p.map(\.key) == ["handover.policy"])
        let policy = p.first { $0.key == "handover.policy" }
        #expect(policy?.expected == "one of 'none', 'strongest', 'hysteresis', 'predictive'")
        #expect(policy?.found == "'hysterisis' (did you mean 'hysteresis'?)")
        let typo = problems(factoryYAML() + "\nhandover: {policy: hysteresis, hysteresisDB: 3}\n")
        #expect(typo.map(\.key) == ["handover.hysteresisDB"])
        #expect(typo.first?.found == "unknown key 'hysteresisDB' (did you mean 'hysteresisDb'?)")
        for (key, value) in [("clusterSize", "0"), ("timeToTrigger", ".nan"), ("searchPeriod", "0"), ("hysteresisDb", "-1")] {
            let bad = problems(factoryYAML() + "\nhandover: {\(key): \(value)}\n")
            #expect(bad.map(\.key) == ["handover.\(key)"], "\(key): \(value)")
        }
    }
}
