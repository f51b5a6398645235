import TwinMath
import TwinRadio
import TwinWorld

/// Which paths a link has this frame, as geometry decides (docs/architecture.md, "Sensing along the physics"):
/// the direct path of a bistatic link when its ray is clear, and one path per target (every
/// mover, then every background reflector) whose two legs are within range — through a RIS
/// panel only targets in front of it, under a sensing schedule only movers in the link's
/// beams. Each path comes with its true length, rate of change, angles and line-of-sight state
/// (the legs' LOS comes from the channel's large-scale state). No draws: the enumerator only
/// looks.
struct PathEnumerator: Sendable {
    /// The direct path of each link between two base stations (fixed for the run): nil entry
    /// for other links (evaluated per frame), `.some(nil)` for a blocked or degenerate one.
    private let staticDirect: [GeometricPath??]

    init(layout: SensingLayout) {
        staticDirect = layout.links.map { link in
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, i != j else { return nil }
            return .some(
                Self.direct(
                    layout.baseStations[i].position, layout.baseStations[j].position, receiverVelocity: .zero,
                    obstacles: layout.obstacles))
        }
    }

    /// The Type I path between `tx` and `rx` (nil when blocked or of zero length). Its rate is
    /// the receiver's motion along the line.
    static func direct(_ tx: Vec3, _ rx: Vec3, receiverVelocity: Vec3, obstacles: ObstacleIndex?) -> GeometricPath? {
        let d = tx.distance(to: rx)
        guard d > 0, !(obstacles?.isBlocked(tx, rx) ?? false) else { return nil }
        let u = (tx - rx) / d
        return GeometricPath(
            source: .direct, target: -1, length: d, rate: -receiverVelocity.dot(u), arrival: Direction(u), departure: Direction(-u),
            lineOfSight: true, txLeg: LegNow(), rxLeg: LegNow(), targetPosition: rx)
    }

    /// The link's direct path this frame (none for a monostatic link).
    func directPath(_ link: LinkContext, layout: SensingLayout) -> GeometricPath? {
        guard !link.link.isMonostatic else { return nil }
        if let fixed = staticDirect[link.link.id] { return fixed }
        return Self.direct(
            link.transmitterPosition, link.receiverPosition, receiverVelocity: link.receiverVelocity, obstacles: layout.obstacles)
    }

    /// The path of `link` via target `t` (movers, then reflectors) this frame, or nil: a leg out
    /// of range, a mover outside the link's beams (`illuminated`), a target behind a RIS panel.
    /// Counts a link–mover pair in range (and in LOS) into `counts`.
    @inline(__always)
    func targetPath(
        _ t: Int, on link: LinkContext, frame: SensingFrame, legs: LegTable, illuminated: [Bool]?, counts: inout FrameCounts
    ) -> GeometricPath? {
        let layout = frame.layout
        let c = link.constants
        let movers = layout.moverCount
        let monostatic = link.link.isMonostatic
        let legTx = legs[c.txAnchor, t], legRx = legs[c.rxAnchor, t]
        guard legTx.inRange, legRx.inRange else { return nil }
        let isMover = t < movers
        if isMover, let lit = illuminated, !SensingEngine.inBeams(lit, link.link, t, movers) { return nil }
        // Through a RIS panel: only targets in front of it (RISSensing).
        if let ris = c.ris, ris.targetGainDb(legTx.unit) == nil { return nil }
        let velocity = frame.targetVelocity(t)
        let length = (monostatic ? 2 * legTx.distance : legTx.distance + legRx.distance) + (c.ris?.fixedPathLength ?? 0)
        let rate =
            monostatic
            ? 2 * velocity.dot(legTx.unit)
            : velocity.dot(legTx.unit + legRx.unit) - link.receiverVelocity.dot(legRx.unit)
        let los = legTx.los && legRx.los
        if isMover {
            counts.pairs += 1
            if los { counts.losPairs += 1 }
        }
        return GeometricPath(
            source: isMover ? .mover(t) : .reflector(t - movers), target: t, length: length, rate: rate, arrival: legRx.direction,
            departure: legTx.direction, lineOfSight: los, txLeg: legTx, rxLeg: legRx, targetPosition: frame.targetPosition(t))
    }
}
