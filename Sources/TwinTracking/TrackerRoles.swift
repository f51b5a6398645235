import TwinMath

// The roles a multi-target tracker is composed of, as in Stone Soup (docs/architecture.md,
// "Swap points"): each is a small component with one job, and `MultiTargetTracker` is their
// composition. A new filter, association or track-life rule is a new conformer, registered as
// part of a tracker in `Trackers`.

/// Advances every track's state to the frame (Stone Soup's Predictor).
public protocol Predictor: Sendable {
    /// Dimension of the state it predicts (the largest model's, for an IMM).
    var dimension: Int { get }
    /// Motion models per track (one state component each).
    var modelCount: Int { get }
    /// Model probabilities a new track starts with.
    var initialProbabilities: [Double] { get }
    func predict(_ track: inout Track, dt: Double)
}

/// Corrects a predicted track with detections (Stone Soup's Updater), including the model
/// probabilities of an IMM and the RCS class estimate.
public protocol Updater: Sendable {
    /// Whether it uses the raw measurements behind each localisation (detections then carry
    /// them, and one with an invalid raw value is refused).
    var usesRawMeasurements: Bool { get }
    /// The update with the one detection associated with the track.
    func update(_ track: inout Track, with detection: Detection)
    /// The probabilistic update with every gated detection and its association probability.
    func update(_ track: inout Track, weighted: WeightedDetections)
    /// Takes a detection's RCS into the track's class estimate.
    func observeClass(_ track: inout Track, _ detection: Detection)
}

/// The gated detections of one track with their association probabilities β (and the PDA
/// model's parameters, for the IMM likelihood).
public struct WeightedDetections: Sendable {
    /// The frame's detections (all of them, shared) and the indices of this track's gated ones.
    public var detections: [Detection]
    public var indices: ArraySlice<Int>
    /// β of each gated detection, in `indices` order.
    public var weights: [Double]
    /// 1 − P_D·P_G: the weight of "no detection is the target's".
    public var missWeight: Double
    /// ln P_D and ln λ (clutter density).
    public var logDetection: Double
    public var logClutter: Double
}

/// Which detections update which tracks this frame (Stone Soup's Hypothesiser and
/// DataAssociator together: gating is part of it).
public protocol Associator: Sendable {
    /// The χ² gate (3 dof) on the position innovation.
    var gate: Double { get }
    func associate(tracks: [Track], detections: [Detection]) -> Association
}

/// The outcome of association.
public struct Association: Sendable {
    public enum Updates: Sendable {
        /// One detection (or none) per track.
        case hard([Int?])
        /// Each track's gated detections — `gated[starts[t]..<starts[t + 1]]`, detection
        /// indices — and their weights `weights[t]`.
        case soft(gated: [Int], starts: [Int], weights: [[Double]])
    }

    public var updates: Updates
    /// Per track: whether it counts as detected this frame.
    public var hit: [Bool]
    /// Per detection: the track it updated (or mostly did), nil if none.
    public var detectionTrack: [Int?]
    /// Detections that start new tracks (none took them, or none gated them).
    public var unassociated: [Int]
    /// The JPDA model's parameters for `soft` updates.
    public var missWeight = 0.0
    public var logDetection = 0.0
    public var logClutter = 0.0
}

/// Starts tracks and decides the life of tentative ones (Stone Soup's Initiator).
public protocol Initiator: Sendable {
    /// A new tentative (or, with 1-of-1, confirmed) track at a detection.
    func initiate(from detection: Detection, id: Int, time: Double, predictor: any Predictor) -> Track
    /// After this frame's hit or miss (recorded in `hitHistory`): the tentative track's fate.
    func review(_ track: Track) -> TentativeReview
}

public enum TentativeReview: Sendable, Equatable {
    case keep
    case confirm
    /// It cannot reach confirmation any more: dropped silently.
    case drop
}

/// Ends confirmed tracks (Stone Soup's Deleter).
public protocol Deleter: Sendable {
    /// Whether a confirmed or coasting track is deleted after this frame.
    func shouldDelete(_ track: Track) -> Bool
}
