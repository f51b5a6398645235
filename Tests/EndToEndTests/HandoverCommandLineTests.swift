import Foundation
import Testing
import TwinStore

/// `run --handover`, the handover section of `metrics` (text and JSON) and a bad policy.
@Suite(.serialized)
struct HandoverCommandLineTests {
    @Test func handoverPolicyFromTheCommandLineReachesTheRecordingAndTheMetrics() throws {
        let path = temporaryPath("corridor.sqlite")
        let run = try cli(["run", "uav-corridor", "--handover", "strongest", "--duration", "4", "--record", path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let events = try Recording(path: path).handoverEvents()
        let handovers = events.count(where: { $0.from != nil })
        #expect(events.contains { $0.reason == "initial" })
        let json = try cli(["metrics", path, "--json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let h = try #require(object?["handover"] as? [String: Any])
        #expect(h["policy"] as? String == "strongest")
        #expect((h["count"] as? NSNumber)?.intValue == handovers)
        #expect((h["initial"] as? NSNumber)?.intValue == events.count - handovers)
        let text = try cli(["metrics", path])
        #expect(text.stdout.contains("sensing handover (policy strongest"))
        // A world without handover has no section.
        let plain = temporaryPath("tiny.sqlite")
        #expect(try cli(["run", "tiny", "--duration", "1", "--record", plain, "--quiet"]).status == 0)
        let none = try JSONSerialization.jsonObject(with: Data(try cli(["metrics", plain, "--json"]).stdout.utf8)) as? [String: Any]
        #expect(none?["handover"] == nil)
        // compare --json: the handover difference is B − A of the two recordings' own counts;
        // with a recording without a policy there are no handover keys.
        let other = temporaryPath("corridor-hysteresis.sqlite")
        #expect(try cli(["run", "uav-corridor", "--handover", "hysteresis", "--duration", "4", "--record", other, "--quiet"]).status == 0)
        let otherHandovers = try Recording(path: other).handoverEvents().count(where: { $0.from != nil })
        let compared = try cli(["compare", path, other, "--json"])
        #expect(compared.status == 0, "\(compared.stderr)")
        let both = try JSONSerialization.jsonObject(with: Data(compared.stdout.utf8)) as? [String: Any]
        let difference = try #require(both?["difference"] as? [String: Any])
        #expect((difference["handover.count"] as? NSNumber)?.intValue == otherHandovers - handovers)
        #expect(((both?["b"] as? [String: Any])?["handover"] as? [String: Any])?["policy"] as? String == "hysteresis")
        let mixed = try JSONSerialization.jsonObject(with: Data(try cli(["compare", plain, path, "--json"]).stdout.utf8)) as? [String: Any]
        #expect((mixed?["difference"] as? [String: Any])?.keys.contains { $0.hasPrefix("handover.") } == false)
    }

    @Test func badPolicyIsAUsageError() throws {
        let r = try cli(["run", "uav-corridor", "--handover", "hysterisis", "--no-record"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("hysterisis"))
        let set = try cli(["run", "uav-corridor", "--set", "handover.policy=strong", "--no-record"])
        #expect(set.status == 2)
        #expect(set.stderr.contains("handover.policy"))
    }
}
