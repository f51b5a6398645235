import Foundation
import TwinEngine
import TwinMetrics

/// The handover section of `metrics` and `compare` (README "Sensing clusters and handover").
enum HandoverOutput {
    /// Rows: key, label, value.
    static func rows(_ h: RecordingHandoverMetrics) -> [(key: String, label: String, value: Double)] {
        let m = h.metrics
        return [
            ("handover.count", "handovers", Double(m.handovers)),
            ("handover.perTargetMinute", "handovers per target-minute", m.perTargetMinute),
            ("handover.pingPongs", "ping-pongs (within \(h.pingPongWindow) s)", Double(m.pingPongs)),
            ("handover.pingPongRate", "ping-pong rate", m.pingPongRate),
            ("handover.interruptionTime", "interruption time (s, total)", m.interruptionTime),
            ("handover.meanInterruption", "interruption per handover (s)", m.meanInterruption),
            ("handover.initial", "first assignments", Double(m.initialAssignments)),
        ]
    }

    static func text(_ h: RecordingHandoverMetrics) -> [String] {
        ["sensing handover (policy \(h.policy.rawValue); tracks' serving clusters)"]
            + rows(h).map { r in
                let value =
                    r.value.isFinite
                    ? (r.value == r.value.rounded() && !r.key.hasSuffix("Rate") ? String(Int(r.value)) : String(format: "%.4g", r.value))
                    : "–"
                return r.label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(1, 12 - value.count))
                    + value
            }
    }

    /// `"handover": {...}` for the JSON of `metrics`.
    static func json(_ h: RecordingHandoverMetrics) -> String {
        let fields =
            ["\"policy\": \(JSONOutput.string(h.policy.rawValue))", "\"pingPongWindow\": \(JSONOutput.number(h.pingPongWindow))"]
            + rows(h).map { "\(JSONOutput.string(String($0.key.dropFirst("handover.".count)))): \(JSONOutput.number($0.value))" }
        return "\"handover\": {" + fields.joined(separator: ", ") + "}"
    }

    /// The metrics JSON object with the handover section added (unchanged without handover).
    static func splice(_ object: String, _ h: RecordingHandoverMetrics?) -> String {
        guard let h, object.hasSuffix("}") else { return object }
        return String(object.dropLast()) + ",\n " + json(h) + "}"
    }
}
