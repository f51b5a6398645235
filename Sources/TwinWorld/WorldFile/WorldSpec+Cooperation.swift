import TwinMath

/// How the operators' fusion centres work together (docs/domain.md §8, infrastructure level).
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
    /// The world file's `calibration` key: the default of both halves.
    public var calibrationSetting = true
    /// The world file's `reference` (an operator's name), resolved into `reference`.
    public var referenceName: String? = nil

    public init(
        policy: CooperationPolicy, calibration: Bool = true, clock: Bool? = nil, frame: Bool? = nil, reference: Int = 0,
        associationGate: Double = 16.27
    ) {
        self.policy = policy
        calibrationSetting = calibration
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
    /// The optional `cooperation` section (nil when absent); `reference` names an operator.
    func decodeCooperation(_ value: YAMLValue?, operators: [OperatorSpec]) throws -> CooperationSpec? {
        guard let value else { return nil }
        var spec = try decodeSection(value, as: CooperationSpec.self)
        if let name = spec.referenceName {
            let names = operators.isEmpty ? [OperatorSpec.default.name] : operators.map(\.name)
            spec.referenceName = nil
            if let k = names.firstIndex(of: name) {
                spec.reference = k
            } else if case .mapping(let m) = value.node, let node = m["reference"] {
                let hint = closestSpelling(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                context.report(
                    at: YAMLValue(node: node, path: "\(value.path).reference", context: context),
                    expected: "one of the operators " + names.map { "'\($0)'" }.joined(separator: ", "), found: "'\(name)'\(hint)")
            }
        }
        return spec
    }
}
