/// Why a matrix operation could not produce a trustworthy result.
///
/// TwinMath's factorizations never hand back NaN silently: non-finite inputs, singular or
/// numerically singular systems and LAPACK failures all surface as one of these cases.
public enum MatrixError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes are incompatible for `operation` (e.g. A is 3×3 but b has 2 rows).
    case dimensionMismatch(operation: String, lhs: MatrixShape, rhs: MatrixShape)
    /// `operation` needs a square matrix.
    case notSquare(operation: String, shape: MatrixShape)
    /// `operation` needs a symmetric matrix (within `Matrix.symmetryTolerance`, relative).
    case notSymmetric(operation: String)
    /// An input contains NaN or ±∞, or the result overflowed to a non-finite value.
    case nonFinite(operation: String)
    /// The triangular factor has an exactly zero diagonal element at zero-based index `pivot`
    /// (U of the LU factorization, or the R/L factor of QR in least squares), so the matrix is
    /// singular (or rank-deficient).
    case singular(pivot: Int)
    /// The matrix is singular to working precision: its estimated reciprocal condition number
    /// in the 1-norm, 1/(‖A‖₁‖A⁻¹‖₁), is below `Double.ulpOfOne`.
    case illConditioned(reciprocalCondition: Double)
    /// The leading principal minor of order `minor` (1-based, i.e. the top-left minor×minor
    /// block) is not positive definite, so Cholesky failed.
    case notPositiveDefinite(minor: Int)
    /// LAPACK reported an unexpected failure (`info` as returned by the routine; negative
    /// means an illegal argument, positive a routine-specific failure such as non-convergence).
    case lapackFailure(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(operation, lhs, rhs):
            "\(operation): incompatible shapes \(lhs) and \(rhs)"
        case let .notSquare(operation, shape):
            "\(operation): needs a square matrix, got \(shape)"
        case let .notSymmetric(operation):
            "\(operation): matrix is not symmetric"
        case let .nonFinite(operation):
            "\(operation): non-finite value (NaN or infinity)"
        case let .singular(pivot):
            "matrix is singular (zero pivot at index \(pivot))"
        case let .illConditioned(rcond):
            "matrix is singular to working precision (reciprocal condition number \(rcond))"
        case let .notPositiveDefinite(minor):
            "matrix is not positive definite (leading minor of order \(minor))"
        case let .lapackFailure(routine, info):
            "LAPACK \(routine) failed with info = \(info)"
        }
    }
}
