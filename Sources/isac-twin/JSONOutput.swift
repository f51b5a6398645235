import ArgumentParser
import Foundation
import TwinMath
import TwinWorld

/// What `twin --json` prints.
struct TwinJSON: Encodable {
    struct Track: Encodable {
        var id: Int
        var status: String
        var position: [JSONNumber]
        var velocity: [JSONNumber]
        var positionCovariance: [[JSONNumber]]
        var age: Int
        var hits: Int
        var misses: Int
        var birthTime: JSONNumber
        var lastUpdate: JSONNumber
        var modelProbabilities: [JSONNumber]
    }

    var recording: String
    var frame: Int
    var time: JSONNumber
    var rejectedThisFrame: Int
    var tracks: [Track]
}

/// What `metrics --json` prints (README "Metrics"), and each side of `compare --json`.
struct MetricsJSON: Encodable {
    struct Target: Encodable {
        var id: Int
        var name: String
        var frames: Int
        var covered: Int
        var fraction: JSONNumber
        var longestGap: Int
    }
    struct Continuity: Encodable {
        var overall: JSONNumber
        var longestGap: Int
        var targets: [Target]
    }
    struct OSPA: Encodable {
        var mean: JSONNumber
        var localization: JSONNumber
        var cardinality: JSONNumber
    }
    struct GOSPA: Encodable {
        var mean: JSONNumber
        var localization: JSONNumber
        var missed: JSONNumber
        var `false`: JSONNumber
    }
    struct Estimates: Encodable {
        var truths: Int
        var reported: Int
        var correct: Int
        var pMD: JSONNumber
        var pFA: JSONNumber
        var rmse: JSONNumber
        var p50: JSONNumber
        var p90: JSONNumber
        var p95: JSONNumber
        var continuity: Continuity
        var ospa: OSPA
        var gospa: GOSPA
        /// Only with `--errors`.
        var errors: [JSONNumber]?
    }
    struct Tracks: Encodable {
        var completeness: JSONNumber
        var ambiguity: JSONNumber
        var spuriousness: JSONNumber
        var trackNumberChangeRate: JSONNumber
        var idSwitches: Int
        var targetFrames: Int
        var trackedTargetFrames: Int
        var trackFrames: Int
        var assignedTrackFrames: Int
    }
    struct Group: Encodable {
        var group: String
        var reported: Int
        var correct: Int
        var pFA: JSONNumber
        var rmse: JSONNumber
    }

    var recording: String
    var frames: Int
    var duration: JSONNumber
    var frameDuration: JSONNumber
    var localizer: String?
    var tracker: String?
    var targets: String
    var threshold: JSONNumber
    var cutoff: JSONNumber
    var order: JSONNumber
    var raw: Estimates
    var tracked: Estimates
    var tracks: Tracks
    var infrastructure: [Group]
    /// With a handover policy: "policy", "pingPongWindow" and the handover rows.
    var handover: [String: HandoverValue]?

    /// A handover field: the policy's name or a number.
    enum HandoverValue: Encodable {
        case text(String)
        case number(JSONNumber)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .text(let s): try s.encode(to: encoder)
            case .number(let n): try n.encode(to: encoder)
            }
        }
    }

    // `localizer` and `tracker` are written as null when unknown (not left out).
    enum CodingKeys: String, CodingKey {
        case recording, frames, duration, frameDuration, localizer, tracker, targets, threshold, cutoff, order, raw, tracked, tracks
        case infrastructure, handover
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(recording, forKey: .recording)
        try c.encode(frames, forKey: .frames)
        try c.encode(duration, forKey: .duration)
        try c.encode(frameDuration, forKey: .frameDuration)
        try c.encode(localizer, forKey: .localizer)
        try c.encode(tracker, forKey: .tracker)
        try c.encode(targets, forKey: .targets)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(cutoff, forKey: .cutoff)
        try c.encode(order, forKey: .order)
        try c.encode(raw, forKey: .raw)
        try c.encode(tracked, forKey: .tracked)
        try c.encode(tracks, forKey: .tracks)
        try c.encode(infrastructure, forKey: .infrastructure)
        try c.encodeIfPresent(handover, forKey: .handover)
    }
}

/// What `compare --json` prints.
struct CompareJSON: Encodable {
    var a: MetricsJSON
    var b: MetricsJSON
    var difference: [String: JSONNumber]
}

/// `--set key.path=value` (repeatable), shared by `run` and `replay`.
struct WorldOverrideOptions: ParsableArguments {
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Replace one world-file value, e.g. --set tracker.processNoise=2 or --set sensing.clutterRate=1 (repeatable).",
            valueName: "key.path=value"))
    var settings: [String] = []

    func validate() throws {
        for s in settings where WorldOverride(parsing: s) == nil {
            throw ValidationError("--set expects key.path=value (e.g. tracker.processNoise=2), found '\(s)'")
        }
    }

    var overrides: [WorldOverride] { settings.compactMap(WorldOverride.init(parsing:)) }
}
