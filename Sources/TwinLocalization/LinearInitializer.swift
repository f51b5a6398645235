import TwinMath

/// Closed-form starting points for `GaussNewton` from linearised range equations
/// (docs/domain.md §7.1 and §7.2).
///
/// Squaring a range equation makes it linear in the position once one extra unknown is
/// added. Three cases are solved exactly (on noise-free data) with TwinMath's least squares:
///
/// 1. **Monostatic ranges** rᵢ = |x − aᵢ|. With y = x − c (c the anchors' centroid, for
///    conditioning), a′ᵢ = aᵢ − c and s = |y|²:  −2a′ᵢ·y + s = rᵢ² − |a′ᵢ|², linear in (y, s).
///    Needs ≥ 4 anchors that span 3-D space.
/// 2. **Bistatic sum ranges sharing one focus F** (one receiver and several transmitters, or
///    the reverse; the sum range is symmetric in its foci). With y = x − F, tᵢ the other focus
///    minus F and R = |y|: from (dᵢ − R)² = |y − tᵢ|² and R² = |y|²,
///    2tᵢ·y − 2dᵢR = |tᵢ|² − dᵢ², linear in (y, R). A monostatic range r at F itself joins as
///    tᵢ = 0, dᵢ = 2r (it reads R = r). Needs ≥ 4 observations whose foci span 3-D space.
/// 3. **Mixed** observations: if the monostatic ones alone have ≥ 3 non-collinear anchors,
///    case 1 on them.
///
/// Otherwise (e.g. bistatic pairs with no common focus) the start is the weighted centroid c
/// of all anchors (weights 1/σ²) moved down by the weighted mean one-way range m (half the
/// path length): (c.x, c.y, c.z − m), or (c.x, c.y, preferredZ) with a hint. It is only a
/// start: Gauss–Newton's Levenberg–Marquardt damping brings it to the solution.
///
/// **Coplanar anchors.** When the anchors are (nearly) coplanar, e.g. every base station at
/// one mounting height, the ranges cannot tell a point from its mirror image in the anchors'
/// plane, and the linear systems above lose rank. The same equations are then solved within
/// the plane (basis u, v, normal n): for the in-plane offset p and s = |p|² + h² (case 1) or
/// R (case 2, with h² = R² − |p|²), and the height above the plane follows as
/// h = ±√max(h², 0) (a negative h² from noise is clamped to 0, the plane itself). Of the two
/// mirror images the one whose z is nearest `preferredZ` is taken when a hint is given;
/// without a hint, the lower one, because anchors are mounted above the targets they sense
/// (masts, rooftops, ceilings). For a vertical anchor plane (both images at the same height)
/// the image on the +n side is taken, n = u × v following the anchor order. Anchors count
/// as coplanar when their largest distance from the fitted plane is within
/// `coplanarTolerance` of their extent: below that the 3-D solve's height is dominated by
/// noise, and the planar solve with an explicit mirror choice is the better start (Gauss–Newton
/// then corrects the small model error).
///
/// Rows are scaled by 1/(σₖ·max(dₖ, 1 m)), dₖ the range or path length, because the noise of
/// a squared range equation grows as ≈ 2dσ.
public enum LinearInitializer {
    /// Which closed form produced a start.
    public enum Method: Sendable, Equatable {
        /// Case 1 on all observations.
        case monostatic
        /// Case 2: every observation has `focus` as transmitter or receiver.
        case sharedFocus(Vec3)
        /// Case 1 on the monostatic subset of mixed observations.
        case monostaticSubset
        /// The weighted-centroid fallback.
        case centroid
    }

    /// A starting position and how it was found.
    public struct InitialGuess: Sendable, Equatable {
        public var position: Vec3
        public var method: Method
    }

    /// Largest distance of anchors from their plane, relative to their extent, below which the
    /// planar solve (with the mirror choice) is used instead of the 3-D one.
    public static let coplanarTolerance = 0.05

    /// A closed-form start for the observations (see the type's documentation).
    /// - Parameter preferredZ: height (m) the target is expected near, used only to choose
    ///   between mirror images when the anchors are coplanar, and by the centroid fallback.
    /// - Throws: as `GaussNewton.solve`: too few (< 3) or invalid observations, coincident or
    ///   collinear anchors.
    public static func initialGuess(
        for observations: [RangeObservation], preferredZ: Double? = nil
    ) throws(LocalizationError) -> InitialGuess {
        try validate(observations)
        if let preferredZ, !preferredZ.isFinite { throw .invalidSettings("preferredZ must be finite") }
        return guess(observations, preferredZ: preferredZ)
    }

    /// `initialGuess` without validation; the observations must have passed `validate`.
    static func guess(_ observations: [RangeObservation], preferredZ: Double?) -> InitialGuess {
        let allMonostatic = observations.allSatisfy {
            if case .monostatic = $0.geometry { true } else { false }
        }
        if allMonostatic {
            if let position = monostatic(observations, preferredZ: preferredZ) {
                return InitialGuess(position: position, method: .monostatic)
            }
        } else {
            if let focus = sharedFocus(observations),
                let position = sharedFocus(observations, focus: focus, preferredZ: preferredZ)
            {
                return InitialGuess(position: position, method: .sharedFocus(focus))
            }
            let subset = observations.filter {
                if case .monostatic = $0.geometry { true } else { false }
            }
            if subset.count >= 3, let position = monostatic(subset, preferredZ: preferredZ) {
                return InitialGuess(position: position, method: .monostaticSubset)
            }
        }
        return InitialGuess(position: centroid(observations, preferredZ: preferredZ), method: .centroid)
    }

    // MARK: - Case 1: monostatic

    private static func monostatic(_ observations: [RangeObservation], preferredZ: Double?) -> Vec3? {
        let frame = AnchorFrame(observations)
        let dimension = frame.dimension(relativeTolerance: coplanarTolerance)
        guard dimension >= .plane else { return nil }
        var c = Vec3.zero
        for observation in observations { c += observation.foci.receiver }
        c /= Double(observations.count)

        let n = observations.count
        if dimension == .space {
            // −2a′·y + s = r² − |a′|², unknowns (y, s).
            var a = Matrix(rows: n, columns: 4)
            var b = Matrix(rows: n, columns: 1)
            for (i, observation) in observations.enumerated() {
                let anchor = observation.foci.receiver - c
                let scale = rowScale(observation, length: observation.value)
                for k in 0..<3 { a[i, k] = -2 * anchor[k] * scale }
                a[i, 3] = scale
                b[i, 0] = (observation.value * observation.value - anchor.normSquared) * scale
            }
            guard let theta = try? a.leastSquares(b) else { return nil }
            return c + Vec3(theta[0, 0], theta[1, 0], theta[2, 0])
        }
        // In-plane: −2q·p + s = r² − |q|², unknowns (p, s), s = |p|² + h².
        var a = Matrix(rows: n, columns: 3)
        var b = Matrix(rows: n, columns: 1)
        for (i, observation) in observations.enumerated() {
            let anchor = observation.foci.receiver - c
            let q = (anchor.dot(frame.u), anchor.dot(frame.v))
            let scale = rowScale(observation, length: observation.value)
            a[i, 0] = -2 * q.0 * scale
            a[i, 1] = -2 * q.1 * scale
            a[i, 2] = scale
            b[i, 0] = (observation.value * observation.value - q.0 * q.0 - q.1 * q.1) * scale
        }
        guard let theta = try? a.leastSquares(b) else { return nil }
        let p = (theta[0, 0], theta[1, 0])
        let heightSquared = theta[2, 0] - p.0 * p.0 - p.1 * p.1
        let base = c + p.0 * frame.u + p.1 * frame.v
        return mirrorChoice(base: base, offset: heightSquared.squareRootOrZero * frame.n, preferredZ: preferredZ)
    }

    // MARK: - Case 2: shared focus

    /// A focus that every observation has as transmitter or receiver, if any.
    private static func sharedFocus(_ observations: [RangeObservation]) -> Vec3? {
        guard let first = observations.first?.foci else { return nil }
        for candidate in [first.receiver, first.transmitter] {
            if observations.allSatisfy({ $0.foci.transmitter == candidate || $0.foci.receiver == candidate }) {
                return candidate
            }
        }
        return nil
    }

    private static func sharedFocus(_ observations: [RangeObservation], focus: Vec3, preferredZ: Double?) -> Vec3? {
        let frame = AnchorFrame(observations)
        let dimension = frame.dimension(relativeTolerance: coplanarTolerance)
        guard dimension >= .plane else { return nil }
        let n = observations.count
        /// The other focus relative to F, and the path length d.
        func leg(_ observation: RangeObservation) -> (t: Vec3, d: Double) {
            let foci = observation.foci
            let other = foci.transmitter == focus ? foci.receiver : foci.transmitter
            return (other - focus, observation.pathLength)
        }
        if dimension == .space {
            guard n >= 4 else { return nil }
            // 2t·y − 2dR = |t|² − d², unknowns (y, R).
            var a = Matrix(rows: n, columns: 4)
            var b = Matrix(rows: n, columns: 1)
            for (i, observation) in observations.enumerated() {
                let (t, d) = leg(observation)
                let scale = rowScale(observation, length: d)
                for k in 0..<3 { a[i, k] = 2 * t[k] * scale }
                a[i, 3] = -2 * d * scale
                b[i, 0] = (t.normSquared - d * d) * scale
            }
            guard let theta = try? a.leastSquares(b) else { return nil }
            return focus + Vec3(theta[0, 0], theta[1, 0], theta[2, 0])
        }
        // In the plane through F: 2q·p − 2dR = |q|² − d², unknowns (p, R), h² = R² − |p|².
        var a = Matrix(rows: n, columns: 3)
        var b = Matrix(rows: n, columns: 1)
        for (i, observation) in observations.enumerated() {
            let (t, d) = leg(observation)
            let q = (t.dot(frame.u), t.dot(frame.v))
            let scale = rowScale(observation, length: d)
            a[i, 0] = 2 * q.0 * scale
            a[i, 1] = 2 * q.1 * scale
            a[i, 2] = -2 * d * scale
            b[i, 0] = (q.0 * q.0 + q.1 * q.1 - d * d) * scale
        }
        guard let theta = try? a.leastSquares(b) else { return nil }
        let p = (theta[0, 0], theta[1, 0])
        let r = theta[2, 0]
        let heightSquared = r * r - p.0 * p.0 - p.1 * p.1
        let base = focus + p.0 * frame.u + p.1 * frame.v
        return mirrorChoice(base: base, offset: heightSquared.squareRootOrZero * frame.n, preferredZ: preferredZ)
    }

    // MARK: - Fallback

    private static func centroid(_ observations: [RangeObservation], preferredZ: Double?) -> Vec3 {
        var weightedAnchors = Vec3.zero
        var weightedRange = 0.0
        var totalWeight = 0.0
        for observation in observations {
            let w = 1 / observation.variance
            let foci = observation.foci
            weightedAnchors += (0.5 * w) * (foci.transmitter + foci.receiver)
            weightedRange += w * 0.5 * observation.pathLength
            totalWeight += w
        }
        let c = weightedAnchors / totalWeight
        return Vec3(c.x, c.y, preferredZ ?? (c.z - weightedRange / totalWeight))
    }

    // MARK: - Helpers

    private static func rowScale(_ observation: RangeObservation, length: Double) -> Double {
        1 / (observation.variance.squareRoot() * Swift.max(length, 1))
    }

    /// base ± offset: nearest to `preferredZ` if given (ties: the lower), else the lower;
    /// equal heights: base + offset.
    private static func mirrorChoice(base: Vec3, offset: Vec3, preferredZ: Double?) -> Vec3 {
        let plus = base + offset
        let minus = base - offset
        if let preferredZ {
            let dPlus = Swift.abs(plus.z - preferredZ)
            let dMinus = Swift.abs(minus.z - preferredZ)
            if dPlus != dMinus { return dPlus < dMinus ? plus : minus }
        }
        if Swift.abs(offset.z) <= 1e-12 * Swift.max(1, offset.norm) { return plus }
        return plus.z < minus.z ? plus : minus
    }
}

extension Double {
    /// √self, or 0 when self ≤ 0 (a squared height made slightly negative by noise).
    fileprivate var squareRootOrZero: Double { self > 0 ? squareRoot() : 0 }
}
