import TwinMath

/// An orthonormal frame fitted to the anchor positions (every transmitter and receiver) of a
/// set of observations, to tell how many dimensions they span.
///
/// Farthest-point construction, exact for exactly degenerate sets and cheap (no allocation):
/// o is the first anchor; u points to the anchor farthest from o (distance `extent`); v points
/// to the anchor farthest from the line (o, u), orthogonalised (its distance `lineDeviation`);
/// n = u × v, and `planeDeviation` is the largest |(a − o)·n|. Deviations are compared with
/// `extent`, so the test does not depend on units or on where the origin is.
struct AnchorFrame {
    enum Dimension: Int, Comparable {
        case point, line, plane, space
        static func < (lhs: Dimension, rhs: Dimension) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Relative deviation below which anchors count as exactly coincident or collinear:
    /// rounding-level, so only truly degenerate sets are rejected.
    static let degenerateTolerance = 1e-9

    var origin: Vec3
    var u: Vec3
    var v: Vec3
    var n: Vec3
    var extent: Double
    var lineDeviation: Double
    var planeDeviation: Double

    init(_ observations: some Collection<RangeObservation>) {
        var origin = Vec3.zero
        if let first = observations.first { origin = first.foci.transmitter }
        var far = origin
        var extent = 0.0
        AnchorFrame.forEachAnchor(observations) { a in
            let d = (a - origin).norm
            if d > extent { extent = d; far = a }
        }
        let u = extent > 0 ? (far - origin) / extent : Vec3(1, 0, 0)
        var offLine = Vec3.zero
        var lineDeviation = 0.0
        AnchorFrame.forEachAnchor(observations) { a in
            let w = a - origin
            let perpendicular = w - w.dot(u) * u
            let d = perpendicular.norm
            if d > lineDeviation { lineDeviation = d; offLine = perpendicular }
        }
        let v = lineDeviation > 0 ? offLine / lineDeviation : AnchorFrame.anyPerpendicular(to: u)
        let n = u.cross(v).normalized
        var planeDeviation = 0.0
        AnchorFrame.forEachAnchor(observations) { a in
            planeDeviation = Swift.max(planeDeviation, Swift.abs((a - origin).dot(n)))
        }
        self.origin = origin
        self.u = u
        self.v = v
        self.n = n
        self.extent = extent
        self.lineDeviation = lineDeviation
        self.planeDeviation = planeDeviation
    }

    /// The dimension of the anchors' affine span, treating deviations up to
    /// `relativeTolerance · extent` as zero. A point set is recognised when `extent` is at
    /// rounding level relative to the coordinates' magnitude.
    func dimension(relativeTolerance: Double) -> Dimension {
        if extent <= AnchorFrame.degenerateTolerance * Swift.max(1, origin.norm) { return .point }
        if lineDeviation <= relativeTolerance * extent { return .line }
        if planeDeviation <= relativeTolerance * extent { return .plane }
        return .space
    }

    private static func forEachAnchor(_ observations: some Collection<RangeObservation>, _ body: (Vec3) -> Void) {
        for observation in observations {
            switch observation.geometry {
            case let .monostatic(anchor):
                body(anchor)
            case let .bistatic(transmitter, receiver):
                body(transmitter)
                body(receiver)
            }
        }
    }

    /// A unit vector orthogonal to the unit vector `u`.
    private static func anyPerpendicular(to u: Vec3) -> Vec3 {
        let axis = Swift.abs(u.x) < 0.9 ? Vec3(1, 0, 0) : Vec3(0, 1, 0)
        return (axis - axis.dot(u) * u).normalized
    }
}

/// Checks every observation (finite, non-negative range; finite, positive variance; finite
/// anchors), the count, and that the anchors are neither coincident nor collinear.
func validate(_ observations: [RangeObservation], required: Int = 3) throws(LocalizationError) {
    guard observations.count >= required else {
        throw .tooFewObservations(count: observations.count, required: required)
    }
    for (index, observation) in observations.enumerated() {
        guard observation.value.isFinite else { throw .nonFiniteRange(index: index) }
        guard observation.value >= 0 else { throw .negativeRange(index: index, value: observation.value) }
        guard observation.variance.isFinite else { throw .nonFiniteVariance(index: index) }
        guard observation.variance > 0 else {
            throw .nonPositiveVariance(index: index, variance: observation.variance)
        }
        let foci = observation.foci
        guard foci.transmitter.isFinite, foci.receiver.isFinite else { throw .nonFiniteAnchor(index: index) }
    }
    switch AnchorFrame(observations).dimension(relativeTolerance: AnchorFrame.degenerateTolerance) {
    case .point: throw .degenerateGeometry(.coincidentAnchors)
    case .line: throw .degenerateGeometry(.collinearAnchors)
    case .plane, .space: break
    }
}
