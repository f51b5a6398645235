import TwinMath

/// How the operators' fusion centres work together (DOMAIN.md §8, infrastructure level).
public enum CooperationPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// Every operator's edge fusion centre localises and tracks with its own links alone; the
    /// twin keeps, of the tracks the operators hold of one target, the most certain.
    case isolated
    /// A core fusion centre localises and tracks with every operator's measurements, including
    /// the cross-operator BS pairs, after inter-operator clock and frame calibration.
    case measurementSharing = "measurement-sharing"
    /// Every operator tracks alone; the core fuses the operators' tracks of one target by
    /// covariance intersection.
    case trackSharing = "track-sharing"

    /// Whether cross-operator BS pairs are sensing links (only a core that fuses measurements
    /// can use them).
    public var sharesMeasurements: Bool { self == .measurementSharing }
}

/// The world file's `cooperation` section. Without it a run has one fusion centre over every
/// operator's links, within-operator links only and angles in the world frame (no operator
/// frames): the behaviour of worlds written before cooperation existed.
public struct CooperationSpec: Sendable, Equatable {
    public var policy: CooperationPolicy
    /// Whether the core calibrates inter-operator clock offsets (`clockCalibration`) and
    /// operator frames (`frameCalibration`): true when both are. Without clock calibration the
    /// core takes cross-operator ranges as synchronised; without frame calibration it takes
    /// every operator's coordinates (sites, angles, tracks) as world coordinates.
    public var calibration: Bool { clockCalibration && frameCalibration }
    public var clockCalibration: Bool
    public var frameCalibration: Bool
    /// Index (into `WorldSpec.operators`) of the operator whose clock is the core's reference
    /// (`InterOperatorClock` estimates the others' offsets against it). Frames have no
    /// reference operator: the core registers every operator's frame, this one's too, onto the
    /// world frame by Procrustes of its reported against its surveyed sites.
    public var reference: Int
    /// χ² gate (3 degrees of freedom) on the position difference of two operators' tracks for
    /// them to be taken as one target (track-to-track association).
    public var associationGate: Double

    public init(
        policy: CooperationPolicy, calibration: Bool = true, clock: Bool? = nil, frame: Bool? = nil, reference: Int = 0,
        associationGate: Double = 16.27
    ) {
        self.policy = policy
        clockCalibration = clock ?? calibration
        frameCalibration = frame ?? calibration
        self.reference = reference
        self.associationGate = associationGate
    }
}

extension OperatorSpec {
    /// The transform from this operator's frame to the world frame (`FrameTransform`).
    public var frameToWorld: FrameTransform { FrameTransform(rotation: frameRotation, translation: frameOffset) }
}

extension WorldDecoder {
    func decodeCooperation(_ value: YAMLValue?, operators: [OperatorSpec]) throws -> CooperationSpec? {
        guard let value else { return nil }
        var m = try value.mapping()
        defer { m.finish() }
        let allowed = CooperationPolicy.allCases.map(\.rawValue)
        let expected = "one of " + allowed.map { "'\($0)'" }.joined(separator: ", ")
        guard let policyValue = m.optional("policy") else {
            throw value.fail(expected: "a mapping with 'policy' (\(expected))", found: "no 'policy'")
        }
        let name = try policyValue.string(expected)
        guard let policy = CooperationPolicy(rawValue: name) else {
            let hint = closestSpelling(to: name, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw policyValue.fail(expected: expected, found: "'\(name)'\(hint)")
        }
        let calibration = try m.bool("calibration", default: true)
        let clock = try m.optional("clockCalibration")?.bool()
        let frame = try m.optional("frameCalibration")?.bool()
        let names = operators.isEmpty ? [OperatorSpec.default.name] : operators.map(\.name)
        var reference = 0
        if let r = m.optional("reference") {
            let name = try r.string("an operator name")
            guard let k = names.firstIndex(of: name) else {
                let hint = closestSpelling(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw r.fail(expected: "one of the operators " + names.map { "'\($0)'" }.joined(separator: ", "), found: "'\(name)'\(hint)")
            }
            reference = k
        }
        let gate = try m.double(
            "associationGate", default: 16.27, "a χ² gate from 0.1 to 1000 (3 degrees of freedom)", where: { (0.1...1000).contains($0) })
        return CooperationSpec(
            policy: policy, calibration: calibration, clock: clock, frame: frame, reference: reference, associationGate: gate)
    }
}
