import TwinMath

/// Why a localisation could not be attempted or could not produce a finite answer.
///
/// Inputs are validated before any arithmetic, so NaN never reaches an estimate. Indices are
/// zero-based positions in the observation array passed in.
public enum LocalizationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The anchor configuration cannot fix a point, whatever the ranges.
    public enum Degeneracy: Sendable, Equatable, CustomStringConvertible {
        /// Every anchor (transmitter, receiver) is the same point: only a sphere is known.
        case coincidentAnchors
        /// Every anchor lies on one line: the target can rotate about it freely.
        case collinearAnchors

        public var description: String {
            switch self {
            case .coincidentAnchors: "all anchors coincide"
            case .collinearAnchors: "all anchors are collinear (the target may rotate about their line)"
            }
        }
    }

    /// Fewer observations than the `required` number (3 for a 3-D position).
    case tooFewObservations(count: Int, required: Int)
    /// Observation `index` has a NaN or infinite range.
    case nonFiniteRange(index: Int)
    /// Observation `index` has a negative range `value`.
    case negativeRange(index: Int, value: Double)
    /// Observation `index` has a NaN or infinite variance.
    case nonFiniteVariance(index: Int)
    /// Observation `index` has a variance that is zero or negative (weights are 1/variance).
    case nonPositiveVariance(index: Int, variance: Double)
    /// Observation `index` has an anchor with a NaN or infinite coordinate.
    case nonFiniteAnchor(index: Int)
    /// The initial position given to the solver is not finite.
    case nonFiniteInitialPosition
    /// The solver settings are unusable (iteration limit below 1, negative or NaN tolerance).
    case invalidSettings(String)
    /// The anchors cannot determine a position.
    case degenerateGeometry(Degeneracy)
    /// A TwinMath factorisation failed where the geometry checks said it should not.
    case numerical(MatrixError)

    public var description: String {
        switch self {
        case let .tooFewObservations(count, required):
            "localisation needs at least \(required) range observations, got \(count)"
        case let .nonFiniteRange(index):
            "observation \(index): range is not finite (NaN or infinity)"
        case let .negativeRange(index, value):
            "observation \(index): range must be non-negative, got \(value) m"
        case let .nonFiniteVariance(index):
            "observation \(index): variance is not finite (NaN or infinity)"
        case let .nonPositiveVariance(index, variance):
            "observation \(index): variance must be positive, got \(variance) m²"
        case let .nonFiniteAnchor(index):
            "observation \(index): anchor position is not finite"
        case .nonFiniteInitialPosition:
            "initial position is not finite"
        case let .invalidSettings(message):
            "invalid solver settings: \(message)"
        case let .degenerateGeometry(degeneracy):
            "degenerate anchor geometry: \(degeneracy)"
        case let .numerical(error):
            "numerical failure: \(error)"
        }
    }
}
