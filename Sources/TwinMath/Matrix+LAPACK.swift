import CLAPACKE
import RealModule

/// Dense linear algebra through LAPACKE (column-major, `lapack_int` = `Int32`).
///
/// Every routine here validates its inputs first: shapes (throwing `dimensionMismatch` or
/// `notSquare`), finiteness (`nonFinite`) and, where the maths needs it, symmetry
/// (`notSymmetric`). Results are checked for overflow, so a returned matrix is always finite.
/// Empty (0×0, n×0, 0×k) problems are answered directly without calling LAPACK.
extension Matrix {
    /// Relative tolerance used by `cholesky()`, `symmetricEigen()` and `logDeterminant()` to
    /// accept a matrix as symmetric: |aᵢⱼ − aⱼᵢ| ≤ 1e-10 · max|aₖₗ|. Accepted matrices are
    /// replaced by their symmetric part (A + Aᵀ)/2, the nearest symmetric matrix in the
    /// Frobenius norm, so rounding-level asymmetry from products like F·P·Fᵀ is harmless.
    public static let symmetryTolerance = 1e-10

    // MARK: - Linear systems

    /// Solves A·X = B for X, where A (self) is n×n and B is n×k.
    ///
    /// LU factorization with partial pivoting (`dgetrf` + `dgetrs`, the two halves of `dgesv`),
    /// followed by a 1-norm condition estimate (`dgecon`).
    /// - Throws: `notSquare`, `dimensionMismatch` if B has ≠ n rows, `nonFinite`,
    ///   `singular(pivot:)` for an exactly zero pivot, `illConditioned` when the reciprocal
    ///   condition number is below `Double.ulpOfOne` (the answer would carry no correct digits).
    public func solve(_ b: Matrix) throws(MatrixError) -> Matrix {
        let operation = "solve"
        guard isSquare else { throw .notSquare(operation: operation, shape: shape) }
        guard b.rows == rows else { throw .dimensionMismatch(operation: operation, lhs: shape, rhs: b.shape) }
        guard isFinite, b.isFinite else { throw .nonFinite(operation: operation) }
        let n = rows, k = b.columns
        if n == 0 || k == 0 { return Matrix(rows: n, columns: k) }

        let lu = try luFactorization(checkingCondition: true)
        var x = b.elements
        let info = x.withUnsafeMutableBufferPointer { xb in
            LAPACKE_dgetrs(
                LAPACK_COL_MAJOR, lapackChar("N"), Int32(n), Int32(k),
                lu.factors, Int32(n), lu.pivots, xb.baseAddress, Int32(n))
        }
        guard info == 0 else { throw .lapackFailure(routine: "dgetrs", info: Int(info)) }
        return try Matrix.checkedFinite(rows: n, columns: k, elements: x, operation: operation)
    }

    /// Solves A·x = b for a vector right-hand side; see `solve(_: Matrix)`.
    public func solve(_ b: [Double]) throws(MatrixError) -> [Double] {
        try solve(Matrix(column: b)).elements
    }

    /// The inverse A⁻¹ of a square matrix (`dgetrf` + `dgecon` + `dgetri`).
    ///
    /// Prefer `solve(_:)` for systems: it is cheaper and more accurate than forming A⁻¹.
    /// The inverse of the 0×0 matrix is the 0×0 matrix.
    /// - Throws: `notSquare`, `nonFinite`, `singular(pivot:)`, `illConditioned`.
    public func inverse() throws(MatrixError) -> Matrix {
        let operation = "inverse"
        guard isSquare else { throw .notSquare(operation: operation, shape: shape) }
        guard isFinite else { throw .nonFinite(operation: operation) }
        let n = rows
        if n == 0 { return self }
        var lu = try luFactorization(checkingCondition: true)
        let info = lu.factors.withUnsafeMutableBufferPointer { a in
            LAPACKE_dgetri(LAPACK_COL_MAJOR, Int32(n), a.baseAddress, Int32(n), lu.pivots)
        }
        if info > 0 { throw .singular(pivot: Int(info) - 1) }
        guard info == 0 else { throw .lapackFailure(routine: "dgetri", info: Int(info)) }
        return try Matrix.checkedFinite(rows: n, columns: n, elements: lu.factors, operation: operation)
    }

    /// The determinant det A of a square matrix, from the LU factorization:
    /// det A = (−1)^s · Πᵢ uᵢᵢ, with s the number of row interchanges. det of 0×0 is 1.
    /// An exactly singular matrix gives 0 (not an error).
    /// - Throws: `notSquare`, `nonFinite` for non-finite input or a product that overflows.
    public func determinant() throws(MatrixError) -> Double {
        let operation = "determinant"
        guard isSquare else { throw .notSquare(operation: operation, shape: shape) }
        guard isFinite else { throw .nonFinite(operation: operation) }
        let n = rows
        if n == 0 { return 1 }
        var factors = elements
        var pivots = [Int32](repeating: 0, count: n)
        let info = factors.withUnsafeMutableBufferPointer { a in
            LAPACKE_dgetrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), a.baseAddress, Int32(n), &pivots)
        }
        if info > 0 { return 0 }
        guard info == 0 else { throw .lapackFailure(routine: "dgetrf", info: Int(info)) }
        var det = 1.0
        for i in 0..<n {
            det *= factors[i + i * n]
            if pivots[i] != Int32(i + 1) { det = -det }  // LAPACK pivots are 1-based
        }
        guard det.isFinite else { throw .nonFinite(operation: operation) }
        return det
    }

    /// Least-squares solution X minimising ‖A·X − B‖₂ (column by column) through `dgels` (QR).
    ///
    /// A (self) is m×n with full rank, B is m×k, the result is n×k. For a tall or square A
    /// (m ≥ n) this is the ordinary least-squares fit, X = (AᵀA)⁻¹AᵀB computed stably; for a
    /// wide A (m < n) it is the minimum-norm solution of the underdetermined system,
    /// X = Aᵀ(AAᵀ)⁻¹B. With n = 0 the result is n×k empty; with m = 0 it is the n×k zero matrix.
    /// - Throws: `dimensionMismatch` if B has ≠ m rows, `nonFinite`, `singular(pivot:)` when the
    ///   triangular QR factor has an exactly zero diagonal, `illConditioned` when that factor's
    ///   reciprocal condition number is below `Double.ulpOfOne` (A numerically rank-deficient).
    public func leastSquares(_ b: Matrix) throws(MatrixError) -> Matrix {
        let operation = "leastSquares"
        guard b.rows == rows else { throw .dimensionMismatch(operation: operation, lhs: shape, rhs: b.shape) }
        guard isFinite, b.isFinite else { throw .nonFinite(operation: operation) }
        let m = rows, n = columns, k = b.columns
        if m == 0 || n == 0 || k == 0 { return Matrix(rows: n, columns: k) }

        TwinMathRuntime.configure()
        var a = elements
        let ldb = Swift.max(m, n)
        // B is embedded in a max(m, n)×k array: dgels overwrites it with the n×k solution.
        var x = [Double](repeating: 0, count: ldb * k)
        for c in 0..<k {
            for r in 0..<m { x[r + c * ldb] = b.elements[r + c * m] }
        }
        let info = a.withUnsafeMutableBufferPointer { ab in
            x.withUnsafeMutableBufferPointer { xb in
                LAPACKE_dgels(
                    LAPACK_COL_MAJOR, lapackChar("N"), Int32(m), Int32(n), Int32(k),
                    ab.baseAddress, Int32(m), xb.baseAddress, Int32(ldb))
            }
        }
        if info > 0 { throw .singular(pivot: Int(info) - 1) }
        guard info == 0 else { throw .lapackFailure(routine: "dgels", info: Int(info)) }

        // The triangular factor: R (upper, n×n) when m ≥ n, L (lower, m×m) when m < n.
        let order = Swift.min(m, n)
        var rcond = 0.0
        let conInfo = LAPACKE_dtrcon(
            LAPACK_COL_MAJOR, lapackChar("1"), lapackChar(m >= n ? "U" : "L"),
            lapackChar("N"), Int32(order), a, Int32(m), &rcond)
        guard conInfo == 0 else { throw .lapackFailure(routine: "dtrcon", info: Int(conInfo)) }
        guard rcond >= Double.ulpOfOne else { throw .illConditioned(reciprocalCondition: rcond) }

        var solution = [Double](repeating: 0, count: n * k)
        for c in 0..<k {
            for r in 0..<n { solution[r + c * n] = x[r + c * ldb] }
        }
        return try Matrix.checkedFinite(rows: n, columns: k, elements: solution, operation: operation)
    }

    // MARK: - Symmetric matrices

    /// The Cholesky factor L of a symmetric positive-definite A: A = L·Lᵀ with L lower
    /// triangular and positive diagonal (`dpotrf`). The strict upper triangle is zero.
    ///
    /// A is accepted as symmetric within `Matrix.symmetryTolerance` and symmetrised first.
    /// - Throws: `notSquare`, `nonFinite`, `notSymmetric`, `notPositiveDefinite(minor:)` with
    ///   the order of the first leading minor that is not positive definite.
    public func cholesky() throws(MatrixError) -> Matrix {
        let operation = "cholesky"
        var a = try symmetrised(operation: operation)
        let n = rows
        if n == 0 { return a }
        TwinMathRuntime.configure()
        let info = a.elements.withUnsafeMutableBufferPointer { ab in
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, lapackChar("L"), Int32(n), ab.baseAddress, Int32(n))
        }
        if info > 0 { throw .notPositiveDefinite(minor: Int(info)) }
        guard info == 0 else { throw .lapackFailure(routine: "dpotrf", info: Int(info)) }
        for c in 1..<n {
            for r in 0..<c { a.elements[r + c * n] = 0 }
        }
        return a
    }

    /// log det A for a symmetric positive-definite A, as 2 Σᵢ log Lᵢᵢ from the Cholesky factor.
    ///
    /// Stable where `determinant()` would underflow or overflow (e.g. large covariance matrices,
    /// Gaussian log-likelihoods). log det of 0×0 is 0.
    /// - Throws: as `cholesky()`; in particular `notPositiveDefinite` for indefinite or singular A.
    public func logDeterminant() throws(MatrixError) -> Double {
        let l = try cholesky()
        var sum = 0.0
        for i in 0..<rows { sum += Double.log(l[i, i]) }
        return 2 * sum
    }

    /// Eigen-decomposition A = V·diag(λ)·Vᵀ of a symmetric matrix (`dsyevd`, divide and conquer).
    ///
    /// `values` are in ascending order and column i of `vectors` is the unit eigenvector for
    /// `values[i]`; V is orthogonal. Eigenvectors are defined only up to sign, so each is
    /// normalised to make its largest-magnitude component positive (the first one on ties),
    /// which keeps results deterministic. For repeated eigenvalues any orthonormal basis of the
    /// eigenspace may be returned.
    /// - Throws: `notSquare`, `nonFinite`, `notSymmetric`, `lapackFailure` if `dsyevd` fails
    ///   to converge.
    public func symmetricEigen() throws(MatrixError) -> (values: [Double], vectors: Matrix) {
        let operation = "symmetricEigen"
        var a = try symmetrised(operation: operation)
        let n = rows
        if n == 0 { return ([], a) }
        TwinMathRuntime.configure()
        var values = [Double](repeating: 0, count: n)
        let info = a.elements.withUnsafeMutableBufferPointer { ab in
            LAPACKE_dsyevd(
                LAPACK_COL_MAJOR, lapackChar("V"), lapackChar("L"), Int32(n),
                ab.baseAddress, Int32(n), &values)
        }
        guard info == 0 else { throw .lapackFailure(routine: "dsyevd", info: Int(info)) }
        for c in 0..<n {
            var largest = 0
            for r in 1..<n where Swift.abs(a.elements[r + c * n]) > Swift.abs(a.elements[largest + c * n]) {
                largest = r
            }
            if a.elements[largest + c * n] < 0 {
                for r in 0..<n { a.elements[r + c * n].negate() }
            }
        }
        guard values.allSatisfy(\.isFinite), a.isFinite else { throw .nonFinite(operation: operation) }
        return (values, a)
    }

    // MARK: - Helpers

    /// LU factors (LAPACK layout) and 1-based pivots of a finite, non-empty square matrix.
    private func luFactorization(checkingCondition: Bool) throws(MatrixError) -> (factors: [Double], pivots: [Int32]) {
        TwinMathRuntime.configure()
        let n = rows
        var factors = elements
        var pivots = [Int32](repeating: 0, count: n)
        let info = factors.withUnsafeMutableBufferPointer { a in
            LAPACKE_dgetrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), a.baseAddress, Int32(n), &pivots)
        }
        if info > 0 { throw .singular(pivot: Int(info) - 1) }
        guard info == 0 else { throw .lapackFailure(routine: "dgetrf", info: Int(info)) }
        if checkingCondition {
            let norm1 = LAPACKE_dlange(LAPACK_COL_MAJOR, lapackChar("1"), Int32(n), Int32(n), elements, Int32(n))
            var rcond = 0.0
            let conInfo = LAPACKE_dgecon(LAPACK_COL_MAJOR, lapackChar("1"), Int32(n), factors, Int32(n), norm1, &rcond)
            guard conInfo == 0 else { throw .lapackFailure(routine: "dgecon", info: Int(conInfo)) }
            guard rcond >= Double.ulpOfOne else { throw .illConditioned(reciprocalCondition: rcond) }
        }
        return (factors, pivots)
    }

    /// (A + Aᵀ)/2 after checking A is square, finite and symmetric within `symmetryTolerance`.
    private func symmetrised(operation: String) throws(MatrixError) -> Matrix {
        guard isSquare else { throw .notSquare(operation: operation, shape: shape) }
        guard isFinite else { throw .nonFinite(operation: operation) }
        guard isSymmetric(tolerance: Matrix.symmetryTolerance) else { throw .notSymmetric(operation: operation) }
        var result = self
        for c in 0..<columns {
            for r in (c + 1)..<rows {
                let mean = 0.5 * (self[r, c] + self[c, r])
                result[r, c] = mean
                result[c, r] = mean
            }
        }
        return result
    }

    private static func checkedFinite(
        rows: Int, columns: Int, elements: [Double],
        operation: String
    ) throws(MatrixError) -> Matrix {
        guard elements.allSatisfy(\.isFinite) else { throw .nonFinite(operation: operation) }
        return Matrix(rows: rows, columns: columns, columnMajor: elements)
    }
}

/// A LAPACK character argument such as "N", "L" or "1".
private func lapackChar(_ scalar: Unicode.Scalar) -> CChar {
    CChar(UInt8(ascii: scalar))
}
