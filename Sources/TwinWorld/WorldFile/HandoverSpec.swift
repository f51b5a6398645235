import TwinMath

/// How targets are handed between sensing clusters (DOMAIN.md §8; README "Sensing clusters
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
    func decodeHandover(_ value: YAMLValue?) throws -> HandoverSpec {
        var spec = HandoverSpec.default
        guard let value else { return spec }
        var m = try value.mapping()
        defer { m.finish() }
        let d = HandoverSpec.default
        spec.policy = try m.choice("policy", default: d.policy)
        spec.hysteresisDb = try m.double(
            "hysteresisDb", default: d.hysteresisDb, "a hysteresis from 0 to 40 dB", where: { (0...40).contains($0) })
        spec.timeToTrigger = try m.double(
            "timeToTrigger", default: d.timeToTrigger, "a time-to-trigger from 0 to 60 s", where: { (0...60).contains($0) })
        spec.predictionHorizon = try m.double(
            "predictionHorizon", default: d.predictionHorizon, "a prediction horizon from 0 to 60 s", where: { (0...60).contains($0) })
        spec.clusterSize = try m.int(
            "clusterSize", default: d.clusterSize, "a whole number of base stations from 1 to 16", where: { (1...16).contains($0) })
        spec.searchPeriod = try m.double(
            "searchPeriod", default: d.searchPeriod, "a search period from 0.001 to 3600 s", where: { (0.001...3600).contains($0) })
        spec.executionDelay = try m.double(
            "executionDelay", default: d.executionDelay, "an execution delay from 0 to 60 s", where: { (0...60).contains($0) })
        spec.pingPongWindow = try m.double(
            "pingPongWindow", default: d.pingPongWindow, "a ping-pong window from 0 to 3600 s", where: { (0...3600).contains($0) })
        spec.thresholdDb = try m.double("thresholdDb", default: d.thresholdDb, "a coverage threshold in dB")
        spec.referenceRCSDbsm = try m.double("referenceRCSDbsm", default: d.referenceRCSDbsm, "a radar cross section in dBsm")
        spec.minBeamRadius = try m.double(
            "minBeamRadius", default: d.minBeamRadius, "a beam radius from 0.1 to 1000 m", where: { (0.1...1000).contains($0) })
        return spec
    }
}
