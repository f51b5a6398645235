import TwinMath
import TwinRadio

/// Azimuth and elevation of a direction, radians (azimuth from +x counter-clockwise,
/// elevation from the horizontal plane; docs/domain.md §2).
public struct Direction: Sendable, Equatable, Codable {
    public var azimuth: Double
    public var elevation: Double

    public init(azimuth: Double, elevation: Double) {
        self.azimuth = azimuth
        self.elevation = elevation
    }

    public init(_ v: Vec3) {
        azimuth = v.azimuth
        elevation = v.elevation
    }
}

/// A *leg*: an anchor (a base station, a receiving UE on one carrier, a RIS panel) and a
/// target (a mover or a background reflector). Every link is made of legs — a monostatic
/// link of one, a bistatic link of two — and a leg is shared by every link that uses it, so
/// its geometry and large-scale state are evaluated once per frame (`LegTable`).
///
/// What a leg carries between frames: its large-scale state (LOS and shadowing Gauss–Markov
/// values), the positions at its last evaluation (for the distance moved) and its own
/// random stream.
struct LegState: Sendable, Equatable, Codable {
    var largeScale = LinkLargeScaleState()
    var lastAnchor = Vec3.zero
    var lastTarget = Vec3.zero
    var hasPositions = false
    var rng: SeededRandom

    init(rng: SeededRandom) { self.rng = rng }
}

/// A leg as it is this frame: geometry (distance, direction from the anchor) and the
/// channel's large-scale state (line of sight, path loss with shadowing).
public struct LegNow: Sendable, Equatable, Codable {
    /// Within `sensing.maxRange` (and not the anchor's own mover).
    public var inRange = false
    public var los = false
    /// Path loss including shadowing, dB.
    public var pathLossDb = 0.0
    public var distance = 0.0
    /// Unit vector from the anchor to the target.
    public var unit = Vec3.zero
    /// Its angles, computed once per leg rather than once per measurement.
    public var direction = Direction(azimuth: 0, elevation: 0)

    public init() {}

    init(inRange: Bool, los: Bool, pathLossDb: Double, distance: Double, unit: Vec3, direction: Direction) {
        (self.inRange, self.los, self.pathLossDb, self.distance, self.unit, self.direction) =
            (inRange, los, pathLossDb, distance, unit, direction)
    }
}

/// Every leg (anchor × target) of the run: state between frames and this frame's evaluation.
///
/// `update` evaluates each leg of a used anchor: out of range legs are marked so; the LOS
/// state comes from the obstacle index (a blocked ray) and, with the stochastic model, the
/// 38.901 LOS probability with a spatially consistent draw; the path loss is the anchor's
/// scenario model with spatially consistent shadowing (TwinRadio `LinkLargeScaleState`). A
/// leg between a fixed anchor (BS, RIS panel) and a background reflector never changes and is
/// evaluated once.
public struct LegTable: Sendable {
    var states: [LegState]
    var now: [LegNow]
    let targetCount: Int

    init(layout: SensingLayout) {
        targetCount = layout.targetCount
        let targets = layout.targetNames
        states = (0..<(layout.anchorCount * targets.count)).map { k in
            LegState(rng: layout.root.substream("leg/\(layout.anchorNames[k / targets.count])/\(targets[k % targets.count])"))
        }
        now = Array(repeating: LegNow(), count: layout.anchorCount * targets.count)
    }

    /// This frame's leg between anchor `anchor` and target `target`.
    @inline(__always)
    public subscript(anchor: Int, target: Int) -> LegNow { now[anchor * targetCount + target] }

    mutating func update(_ scene: SensingFrame, layout: SensingLayout) {
        let maxRange = layout.spec.maxRange
        for a in 0..<layout.anchorCount where layout.anchorUsed[a] {
            let pa = scene.anchorPosition(a)
            let selfMover = layout.ueMover(ofAnchor: a) ?? -1
            let fixed = layout.isFixed(anchor: a)
            for t in 0..<targetCount {
                let k = a * targetCount + t
                guard t != selfMover else { now[k].inRange = false; continue }
                if fixed && t >= layout.moverCount && states[k].hasPositions { continue }
                let pt = scene.targetPosition(t)
                let delta = pt - pa
                let distance = delta.norm
                guard distance <= maxRange, distance > 0.1 else { now[k].inRange = false; continue }
                var leg = states[k]
                let moved = leg.hasPositions ? pt.distance(to: leg.lastTarget) + pa.distance(to: leg.lastAnchor) : 0
                leg.lastTarget = pt
                leg.lastAnchor = pa
                leg.hasPositions = true
                let blocked = layout.obstacles?.isBlocked(pa, pt) ?? false
                let state = leg.largeScale.advance(
                    geometry: LinkGeometry(pa, pt), carrierFrequency: layout.anchorCarrier[a], model: layout.anchorModels[a],
                    distanceMoved: moved, rng: &leg.rng, blocked: blocked, stochasticLOS: layout.useStochastic)
                states[k] = leg
                let unit = delta / distance
                now[k] = LegNow(
                    inRange: true, los: state.isLOS, pathLossDb: state.totalLossDb, distance: distance, unit: unit,
                    direction: Direction(unit))
            }
        }
    }
}
