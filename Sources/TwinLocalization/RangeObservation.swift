import TwinMath

/// One range measurement of a device-free target, with the anchor geometry that produced it
/// (docs/domain.md §2, Type II paths).
///
/// - Monostatic (transmitter = receiver = `anchor`): `value` is the one-way range
///   d = |x − anchor| (half the round-trip path), and h(x) = |x − anchor|.
/// - Bistatic: `value` is the sum range d = |x − tx| + |x − rx| (the path length
///   tx → target → rx, after clock-offset correction, §3); the target lies on the ellipsoid
///   with foci tx and rx, and h(x) = |x − tx| + |x − rx|.
///
/// `variance` is the variance σ² (m²) of `value`; Gauss–Newton weights the observation by
/// w = 1/σ². Construction does not validate: `GaussNewton.solve` and `LinearInitializer`
/// check every observation first (finite, non-negative range; finite, positive variance;
/// finite anchors) and throw `LocalizationError` otherwise.
///
/// A bistatic sum range shorter than the baseline |tx − rx| has no exact solution (the
/// ellipsoid is empty). Noise can produce one near the baseline; it is accepted and simply
/// leaves a residual.
public struct RangeObservation: Sendable, Equatable {
    /// Where the measurement was taken from.
    public enum Geometry: Sendable, Equatable {
        /// Co-located transmitter and receiver at `anchor`.
        case monostatic(anchor: Vec3)
        /// Separate transmitter and receiver: the foci of the range ellipsoid.
        case bistatic(transmitter: Vec3, receiver: Vec3)
    }

    /// The anchor positions (m, local frame).
    public var geometry: Geometry
    /// One-way range (monostatic) or sum range (bistatic), metres.
    public var value: Double
    /// Variance of `value`, m².
    public var variance: Double

    public init(geometry: Geometry, value: Double, variance: Double) {
        self.geometry = geometry
        self.value = value
        self.variance = variance
    }

    /// A monostatic one-way range `range` from `anchor`.
    public static func monostatic(anchor: Vec3, range: Double, variance: Double) -> RangeObservation {
        RangeObservation(geometry: .monostatic(anchor: anchor), value: range, variance: variance)
    }

    /// A bistatic sum range |x − transmitter| + |x − receiver| = `sumRange`.
    public static func bistatic(
        transmitter: Vec3, receiver: Vec3, sumRange: Double, variance: Double
    ) -> RangeObservation {
        RangeObservation(
            geometry: .bistatic(transmitter: transmitter, receiver: receiver), value: sumRange, variance: variance)
    }

    /// The noise-free value h(x) at position `x`: |x − anchor| (monostatic) or
    /// |x − tx| + |x − rx| (bistatic).
    public func predicted(at x: Vec3) -> Double {
        switch geometry {
        case let .monostatic(anchor):
            return (x - anchor).norm
        case let .bistatic(transmitter, receiver):
            return (x - transmitter).norm + (x - receiver).norm
        }
    }

    /// The gradient ∇h(x): the unit vector û = (x − anchor)/|x − anchor| (monostatic) or
    /// û_tx + û_rx (bistatic), the same sum that gives the bistatic range rate (§2).
    ///
    /// The distance is not differentiable at an anchor itself; there the unit vector of that
    /// anchor is taken as zero (the subgradient of least norm), so the result is always finite,
    /// never NaN. Gauss–Newton can therefore sit on an anchor without poisoning its normal
    /// equations; the other observations move it off.
    public func gradient(at x: Vec3) -> Vec3 {
        switch geometry {
        case let .monostatic(anchor):
            return (x - anchor).normalized
        case let .bistatic(transmitter, receiver):
            return (x - transmitter).normalized + (x - receiver).normalized
        }
    }

    /// The two foci (equal for a monostatic observation).
    var foci: (transmitter: Vec3, receiver: Vec3) {
        switch geometry {
        case let .monostatic(anchor): (anchor, anchor)
        case let .bistatic(transmitter, receiver): (transmitter, receiver)
        }
    }

    /// The path length tx → x → rx implied by `value`: 2d for a monostatic range, d otherwise.
    var pathLength: Double {
        switch geometry {
        case .monostatic: 2 * value
        case .bistatic: value
        }
    }
}
