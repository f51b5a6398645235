import Foundation
import TwinMath
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

    /// The `"handover"` object of `metrics --json`: the policy, the ping-pong window and the rows.
    static func json(_ h: RecordingHandoverMetrics) -> [String: MetricsJSON.HandoverValue] {
        var out: [String: MetricsJSON.HandoverValue] = [
            "policy": .text(h.policy.rawValue), "pingPongWindow": .number(JSONNumber(h.pingPongWindow)),
        ]
        for row in rows(h) { out[String(row.key.dropFirst("handover.".count))] = .number(JSONNumber(row.value)) }
        return out
    }
}
