/// One change of a track's serving sensing cluster, as recorded (`from` nil: the first
/// assignment, not counted as a handover). `operatorName`: the operator whose manager handed
/// over (edge cooperation policies, one manager per operator); nil with one manager.
public struct HandoverRecord: Sendable, Equatable {
    public var time: Double
    public var trackId: Int
    public var from: String?
    public var to: String
    public var operatorName: String?

    public init(time: Double, trackId: Int, from: String?, to: String, operatorName: String? = nil) {
        self.time = time
        self.trackId = trackId
        self.from = from
        self.to = to
        self.operatorName = operatorName
    }
}

/// One frame of one track: its time and whether a detection updated it in that frame.
public struct TrackFrame: Sendable, Equatable {
    public var trackId: Int
    public var time: Double
    public var detected: Bool

    public init(trackId: Int, time: Double, detected: Bool) {
        self.trackId = trackId
        self.time = time
        self.detected = detected
    }
}

/// Handover metrics of a run (README "Sensing clusters and handover"). Events are taken per
/// (operator, track): under the edge cooperation policies each operator hands over its own
/// clusters, and two operators' events on one twin track are separate histories (their
/// interruptions are gaps in the twin track's detections, `frames` being the twin's).
///
/// - `handovers`: changes of a track's serving cluster, first assignments excluded;
///   `perTargetMinute` divides them by the target-minutes of the run (movers × duration).
/// - `pingPongs`: handovers back to the cluster the track left, within `pingPongWindow`
///   seconds of leaving it (A→B at t₁, B→A at t₂ ≤ t₁ + window: the second is a ping-pong);
///   `pingPongRate` = pingPongs / handovers.
/// - `interruption`: per handover at t_h, the detection gap it caused: t_next − t_last − Δt,
///   at least 0, where t_last is the track's last detection at or before t_h, t_next its
///   first detection after t_h (but no later than the track's next handover), Δt the frame
///   duration (so a seamless handover costs 0). A track that is never detected again
///   contributes its last frame's time − t_last. When the previous handover of the track had
///   no detection after it either (two handovers inside one detection gap), t_last is taken as
///   t_h − Δt: the earlier handover is charged the frames before t_h, this one those from t_h
///   on, so every missed frame counts once. Summed over handovers (`interruptionTime`, s) and
///   averaged (`meanInterruption`).
public struct HandoverMetrics: Sendable, Equatable {
    public var handovers = 0
    public var initialAssignments = 0
    public var pingPongs = 0
    public var interruptionTime = 0.0
    public var targetMinutes = 0.0

    public var perTargetMinute: Double { targetMinutes > 0 ? Double(handovers) / targetMinutes : .nan }
    public var pingPongRate: Double { handovers > 0 ? Double(pingPongs) / Double(handovers) : .nan }
    public var meanInterruption: Double { handovers > 0 ? interruptionTime / Double(handovers) : .nan }

    public init() {}

    /// Scores `events` (any order) against the tracks' frames (any order).
    public init(
        events: [HandoverRecord], frames: [TrackFrame], frameDuration: Double, targetMinutes: Double, pingPongWindow: Double
    ) {
        self.targetMinutes = targetMinutes
        struct Key: Hashable, Comparable {
            var operatorName: String
            var trackId: Int
            static func < (a: Key, b: Key) -> Bool { (a.operatorName, a.trackId) < (b.operatorName, b.trackId) }
        }
        var byTrack: [Key: [HandoverRecord]] = [:]
        for e in events { byTrack[Key(operatorName: e.operatorName ?? "", trackId: e.trackId), default: []].append(e) }
        var framesOf: [Int: [TrackFrame]] = [:]
        for f in frames { framesOf[f.trackId, default: []].append(f) }
        for key in byTrack.keys.sorted() {
            let id = key.trackId
            let list = byTrack[key]!.sorted { $0.time < $1.time }
            let history = (framesOf[id] ?? []).sorted { $0.time < $1.time }
            let detections = history.filter(\.detected).map(\.time)
            for (k, e) in list.enumerated() {
                guard let from = e.from else {
                    initialAssignments += 1
                    continue
                }
                handovers += 1
                // Ping-pong: the previous handover of this track left `e.to` for `from` recently.
                if k > 0, let left = list[k - 1].from, left == e.to, list[k - 1].to == from, e.time - list[k - 1].time <= pingPongWindow {
                    pingPongs += 1
                }
                guard var last = detections.last(where: { $0 <= e.time }) else { continue }
                // The previous handover was not followed by a detection before this one: its gap
                // ran up to this handover (it was charged the frames before e.time), so this
                // one's starts at e.time (as if detected a frame earlier) — no frame twice.
                if k > 0, list[k - 1].from != nil, last <= list[k - 1].time + 1e-9 {
                    last = e.time - frameDuration
                }
                let limit = k + 1 < list.count ? list[k + 1].time : .infinity
                // Gaps shorter than a microsecond are rounding of frame times, not interruptions.
                func add(_ gap: Double) { if gap > 1e-6 { interruptionTime += gap } }
                if let next = detections.first(where: { $0 > e.time }), next <= limit {
                    add(next - last - frameDuration)
                } else if let end = history.last?.time, limit == .infinity {
                    add(end - last)
                } else {
                    add(limit - last - frameDuration)
                }
            }
        }
    }
}
