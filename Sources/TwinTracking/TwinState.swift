import RealModule
import TwinMath

/// What the tracker reports per frame: a localisation (position and covariance), optionally
/// with the raw link measurements behind it (for measurement-level EKF updates) and a radar
/// cross-section estimate (for the class estimate).
public struct Detection: Sendable, Equatable, Codable {
    public var position: Vec3
    public var covariance: SymmetricMatrix3
    /// The raw ranges, Doppler and angles the position was computed from; empty if unknown.
    public var raw: [RawMeasurement]
    /// Radar cross-section estimate, dBsm, and its variance, dB².
    public var rcsDbsm: Double?
    public var rcsVariance: Double?

    public init(
        position: Vec3, covariance: SymmetricMatrix3, raw: [RawMeasurement] = [], rcsDbsm: Double? = nil,
        rcsVariance: Double? = nil
    ) {
        self.position = position
        self.covariance = covariance
        self.raw = raw
        self.rcsDbsm = rcsDbsm
        self.rcsVariance = rcsVariance
    }

    /// Finite position and a finite, positive-definite covariance: what the twin accepts.
    public var isValid: Bool { position.isFinite && covariance.isPositiveDefinite }
}

/// Where a track is in its life (docs/domain.md §9).
public enum TrackStatus: String, Sendable, Codable, CaseIterable {
    /// Started from an unassociated detection; not yet M hits in the last N frames.
    case tentative
    /// M of N reached and detected this frame.
    case confirmed
    /// Confirmed, but missed this frame (predicted only).
    case coasting
}

/// One target in the twin.
public struct Track: Sendable, Equatable, Codable {
    /// Stable identity: assigned at birth, never reused within a session.
    public var id: Int
    public var status: TrackStatus
    /// One state per motion model (one for a single-model filter, one per IMM model).
    public var components: [ModelState]
    /// IMM model probabilities (one element, 1, for a single model).
    public var modelProbabilities: [Double]
    /// Time of birth and of the last detection, s.
    public var birthTime: Double
    public var lastUpdate: Double
    /// Frames since birth (0 in the birth frame).
    public var age: Int
    /// Frames with a detection, in total (the birth detection counts).
    public var hits: Int
    /// Consecutive frames without a detection.
    public var misses: Int
    /// The last 32 frames, newest in bit 0: 1 = detected.
    public var hitHistory: UInt32
    /// Log-likelihood of each target class given the RCS estimates so far (empty: none seen).
    public var classLogLikelihoods: [Double]

    /// The moment-matched estimate over the models: x = Σμⱼxⱼ,
    /// P = Σμⱼ(Pⱼ + (xⱼ − x)(xⱼ − x)ᵀ). For one model, that model's state.
    public var estimate: ModelState {
        if components.count == 1 { return components[0] }
        return ModelState.mixture(components, weights: modelProbabilities)
    }

    public var position: Vec3 { components.count == 1 ? components[0].mean.position : estimate.mean.position }

    /// The class index with the highest posterior under a uniform prior, and that posterior.
    public var classEstimate: (index: Int, probability: Double)? {
        guard let best = classLogLikelihoods.indices.max(by: { classLogLikelihoods[$0] < classLogLikelihoods[$1] }) else { return nil }
        let top = classLogLikelihoods[best]
        let total = classLogLikelihoods.reduce(0) { $0 + Double.exp($1 - top) }
        return (best, 1 / total)
    }
}

extension ModelState {
    /// Moment-matched Gaussian of a mixture (states of equal dimension).
    static func mixture(_ parts: [ModelState], weights: [Double]) -> ModelState {
        let n = parts[0].mean.count
        var mean = StateVector(count: n)
        for k in parts.indices {
            let w = weights[k]
            for i in 0..<n { mean[i] += w * parts[k].mean[i] }
        }
        var cov = StateMatrix(count: n)
        for k in parts.indices {
            let w = weights[k]
            var d = StateVector(count: n)
            for i in 0..<n { d[i] = parts[k].mean[i] - mean[i] }
            for i in 0..<n {
                let wd = w * d[i]
                for j in 0..<n { cov[i, j] += w * parts[k].covariance[i, j] + wd * d[j] }
            }
        }
        cov.symmetrize()
        return ModelState(mean: mean, covariance: cov)
    }
}

/// The twin: every live track at one instant, and what the tracker needs to go on from here.
/// Persisted each frame; a tracker built from it continues exactly as the original would.
public struct TwinState: Sendable, Equatable, Codable {
    /// Frame this state belongs to (−1 before the first frame).
    public var frameIndex: Int
    /// Time of that frame, s.
    public var time: Double
    /// The id the next born track gets.
    public var nextTrackId: Int
    /// Live tracks, by increasing id.
    public var tracks: [Track]
    /// Detections rejected so far (NaN or non-positive-definite covariance).
    public var rejectedDetections: Int

    public init(frameIndex: Int = -1, time: Double = 0, nextTrackId: Int = 1, tracks: [Track] = [], rejectedDetections: Int = 0) {
        self.frameIndex = frameIndex
        self.time = time
        self.nextTrackId = nextTrackId
        self.tracks = tracks
        self.rejectedDetections = rejectedDetections
    }

    /// The tracks a user sees: confirmed and coasting.
    public var confirmedTracks: [Track] { tracks.filter { $0.status != .tentative } }
}
