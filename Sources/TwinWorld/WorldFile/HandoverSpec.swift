import TwinMath

/// How targets are handed between sensing clusters (docs/domain.md §8; README "Sensing clusters
/// and handover").
public enum HandoverPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// No clusters: every base station senses every target every frame (the behaviour
    /// without a `handover` section).
    case none
    /// Switch as soon as another cluster is preferred (no margin, no time-to-trigger).
    case strongest
    /// 3GPP A3-like: the candidate must be better than the serving cluster by `hysteresisDb`
    /// (or the serving cluster must have lost coverage) continuously for `timeToTrigger`.
    case hysteresis
    /// `hysteresis`, plus: hand over at once when the serving cluster is predicted, from the
    /// track's velocity, to lose the target within `predictionHorizon`.
    case predictive
}

/// The world file's `handover` section.
public struct HandoverSpec: Sendable, Equatable {
    public var policy: HandoverPolicy
    /// A3 offset: how much better (dB) a candidate cluster must be, and the margin above
    /// `thresholdDb` a micro BS needs before micro-only service is preferred.
    public var hysteresisDb: Double
    /// How long (s) the handover condition must hold continuously.
    public var timeToTrigger: Double
    /// Look-ahead (s) of the predictive policy.
    public var predictionHorizon: Double
    /// Base stations per cluster.
    public var clusterSize: Int
    /// Every this many seconds a search frame: every BS senses everywhere.
    public var searchPeriod: Double
    /// Time (s) after a handover before the new cluster's beams are set up (the old ones are
    /// released at once): the interruption a handover costs.
    public var executionDelay: Double
    /// A handover back to the previous cluster within this time (s) is a ping-pong.
    public var pingPongWindow: Double
    /// Predicted monostatic SNR (dB) a BS needs to count as covering a target.
    public var thresholdDb: Double
    /// Reference radar cross section (dBsm) used for the predicted SNR.
    public var referenceRCSDbsm: Double
    /// Smallest beam radius (m) around a track's predicted position.
    public var minBeamRadius: Double

    public static let `default` = HandoverSpec(
        policy: .none, hysteresisDb: 3, timeToTrigger: 0.32, predictionHorizon: 1, clusterSize: 2, searchPeriod: 1,
        executionDelay: 0.1, pingPongWindow: 1, thresholdDb: 13, referenceRCSDbsm: 0, minBeamRadius: 3)

    public init(
        policy: HandoverPolicy, hysteresisDb: Double, timeToTrigger: Double, predictionHorizon: Double, clusterSize: Int,
        searchPeriod: Double, executionDelay: Double, pingPongWindow: Double, thresholdDb: Double, referenceRCSDbsm: Double,
        minBeamRadius: Double
    ) {
        self.policy = policy
        self.hysteresisDb = hysteresisDb
        self.timeToTrigger = timeToTrigger
        self.predictionHorizon = predictionHorizon
        self.clusterSize = clusterSize
        self.searchPeriod = searchPeriod
        self.executionDelay = executionDelay
        self.pingPongWindow = pingPongWindow
        self.thresholdDb = thresholdDb
        self.referenceRCSDbsm = referenceRCSDbsm
        self.minBeamRadius = minBeamRadius
    }
}

extension WorldDecoder {
    /// The optional `handover` section; absent means `policy: none` (today's behaviour).
    func decodeHandover(_ value: YAMLValue?) throws -> HandoverSpec { try decodeSection(value) }
}
