import Foundation
import Testing
import TwinMath

/// Matrix construction, layout and BLAS-backed arithmetic against hand-computed results.
struct MatrixBasicsTests {
    @Test func rowLiteralIsStoredColumnMajor() {
        let a = Matrix(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(a.rows == 2 && a.columns == 3)
        #expect(a.elements == [1, 4, 2, 5, 3, 6])
        #expect(a[0, 2] == 3 && a[1, 0] == 4)
        #expect(a.row(1) == [4, 5, 6])
        #expect(a.column(2) == [3, 6])
        #expect(a.rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(Matrix(rows: []).shape == MatrixShape(rows: 0, columns: 0))
    }

    @Test func subscriptSetterWritesOneElement() {
        var a = Matrix(rows: 2, columns: 2, repeating: 7)
        a[1, 0] = -1
        #expect(a.rowArrays == [[7, 7], [-1, 7]])
    }

    @Test func identityDiagonalTraceTranspose() {
        #expect(Matrix.identity(3).rowArrays == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let d = Matrix.diagonal([2, -1, 5])
        #expect(d.rowArrays == [[2, 0, 0], [0, -1, 0], [0, 0, 5]])
        #expect(d.trace == 6)
        #expect(Matrix.identity(0).trace == 0)
        let a = Matrix(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(a.transposed.rowArrays == [[1, 4], [2, 5], [3, 6]])
        #expect(a.transposed.transposed == a)
    }

    @Test func symmetryTestIsRelativeToLargestElement() {
        #expect(Matrix(rows: [[2, 1], [1, 2]]).isSymmetric())
        #expect(!Matrix(rows: [[2, 1], [1.001, 2]]).isSymmetric())
        #expect(Matrix(rows: [[2000, 1], [1.001, 2]]).isSymmetric(tolerance: 1e-6))  // 0.001 ≤ 1e-6·2000
        #expect(!Matrix(rows: [[2000, 1], [1.001, 2]]).isSymmetric(tolerance: 1e-7))
        #expect(!Matrix(rows: [[1, 2, 3], [2, 1, 4]]).isSymmetric(tolerance: 1))  // not square
        #expect(!Matrix(rows: [[.nan, 0], [0, 1]]).isSymmetric(tolerance: 1))
    }

    @Test func elementwiseArithmetic() {
        let a = Matrix(rows: [[1, 2], [3, 4]])
        let b = Matrix(rows: [[10, 20], [30, 40]])
        #expect((a + b).rowArrays == [[11, 22], [33, 44]])
        #expect((b - a).rowArrays == [[9, 18], [27, 36]])
        #expect((2 * a).rowArrays == [[2, 4], [6, 8]])
        #expect((a * 0.5).rowArrays == [[0.5, 1], [1.5, 2]])
        #expect((-a).rowArrays == [[-1, -2], [-3, -4]])
    }

    @Test func matrixProductMatchesHandComputation() {
        let a = Matrix(rows: [[1, 2], [3, 4]])
        let b = Matrix(rows: [[5, 6], [7, 8]])
        #expect((a * b).rowArrays == [[19, 22], [43, 50]])
        #expect((b * a).rowArrays == [[23, 34], [31, 46]])

        // 2×3 · 3×2 = 2×2
        let c = Matrix(rows: [[1, 0, 2], [-1, 3, 1]])
        let d = Matrix(rows: [[3, 1], [2, 1], [1, 0]])
        #expect((c * d).rowArrays == [[5, 1], [4, 2]])
        // 3×2 · 2×3 = 3×3
        #expect((d * c).rowArrays == [[2, 3, 7], [1, 3, 5], [1, 0, 2]])
        #expect(Matrix.identity(3) * d == d)
    }

    @Test func emptyInnerDimensionGivesZeroMatrix() {
        let a = Matrix(rows: 2, columns: 0)
        let b = Matrix(rows: 0, columns: 3)
        #expect(a * b == Matrix(rows: 2, columns: 3, repeating: 0))
        #expect(Matrix(rows: 2, columns: 0) * [Double]() == [0, 0])
    }

    @Test func matrixVectorProduct() {
        let a = Matrix(rows: [[1, 2], [3, 4], [5, 6]])
        #expect(a * [1, 1] == [3, 7, 11])
        #expect(a * [2, -1] == [0, 2, 4])
    }

    @Test func codableRoundTripAndShapeValidation() throws {
        let a = Matrix(rows: [[1.5, -2], [0.1, 1e300]])
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(Matrix.self, from: data) == a)

        let corrupt = Data(#"{"rows":2,"columns":2,"elements":[1,2,3]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Matrix.self, from: corrupt) }
    }

    @Test func mismatchedSumTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Matrix(rows: 2, columns: 2) + Matrix(rows: 3, columns: 2)
        }
    }
}

/// LAPACK-backed routines against closed-form answers.
struct MatrixLAPACKTests {
    @Test func solvesTwoByTwoSystem() throws {
        // 2x + y = 5, x + 3y = 10  ⇒  x = 1, y = 3
        let a = Matrix(rows: [[2, 1], [1, 3]])
        let x = try a.solve([5, 10])
        #expect(abs(x[0] - 1) < 1e-14 && abs(x[1] - 3) < 1e-14)
    }

    @Test func solvesThreeByThreeSystemWithSeveralRightHandSides() throws {
        // Classic example: solution (2, 3, −1); second column b = A·(1, 0, 0)ᵀ.
        let a = Matrix(rows: [[2, 1, -1], [-3, -1, 2], [-2, 1, 2]])
        let b = Matrix(rows: [[8, 2], [-11, -3], [-3, -2]])
        let x = try a.solve(b)
        #expect(x.isApproximatelyEqual(to: Matrix(rows: [[2, 1], [3, 0], [-1, 0]]), tolerance: 1e-13))
    }

    @Test func solveNeedsRowPivoting() throws {
        // Zero leading entry: only works with row interchanges. y = 2, x = 3.
        let x = try Matrix(rows: [[0, 1], [1, 0]]).solve([2, 3])
        #expect(x == [3, 2])
    }

    @Test func inverseOfTwoByTwo() throws {
        // [[4, 7], [2, 6]]⁻¹ = (1/10)·[[6, −7], [−2, 4]]
        let inv = try Matrix(rows: [[4, 7], [2, 6]]).inverse()
        #expect(inv.isApproximatelyEqual(to: Matrix(rows: [[0.6, -0.7], [-0.2, 0.4]]), tolerance: 1e-15))
    }

    @Test func determinantIncludingPivotSign() throws {
        #expect(try Matrix(rows: [[0, 1], [1, 0]]).determinant() == -1)
        // 2(0·5 − (−1)·4) + 3(2·5 + 1) + (2·4 − 0) = 8 + 33 + 8 = 49
        let det = try Matrix(rows: [[2, -3, 1], [2, 0, -1], [1, 4, 5]]).determinant()
        #expect(abs(det - 49) < 1e-12)
        #expect(try Matrix(rows: [[1, 2], [2, 4]]).determinant() == 0)
        #expect(try Matrix.identity(0).determinant() == 1)
    }

    @Test func leastSquaresLineFit() throws {
        // y ≈ slope·x + intercept through (0,1), (1,3), (2,2), (3,4):
        // x̄ = 1.5, ȳ = 2.5, Sxy = 4, Sxx = 5 ⇒ slope 0.8, intercept 2.5 − 0.8·1.5 = 1.3.
        let xs: [Double] = [0, 1, 2, 3], ys: [Double] = [1, 3, 2, 4]
        let design = Matrix(rows: xs.map { [$0, 1] })
        let fit = try design.leastSquares(Matrix(column: ys))
        #expect(fit.shape == MatrixShape(rows: 2, columns: 1))
        #expect(abs(fit[0, 0] - 0.8) < 1e-14)
        #expect(abs(fit[1, 0] - 1.3) < 1e-14)
    }

    @Test func leastSquaresRecoversExactLine() throws {
        let xs = (0..<10).map(Double.init)
        let design = Matrix(rows: xs.map { [$0, 1] })
        let fit = try design.leastSquares(Matrix(column: xs.map { -2.5 * $0 + 7 }))
        #expect(abs(fit[0, 0] + 2.5) < 1e-13 && abs(fit[1, 0] - 7) < 1e-13)
    }

    @Test func leastSquaresMinimumNormForWideSystem() throws {
        // x + y = 2 has minimum-norm solution (1, 1).
        let x = try Matrix(rows: [[1, 1]]).leastSquares(Matrix(column: [2]))
        #expect(x.isApproximatelyEqual(to: Matrix(column: [1, 1]), tolerance: 1e-14))
    }

    @Test func leastSquaresRejectsRankDeficientDesign() {
        let a = Matrix(rows: [[1, 2], [2, 4], [3, 6]])
        #expect(throws: MatrixError.self) { try a.leastSquares(Matrix(column: [1, 2, 3])) }
    }

    @Test func choleskyOfHandComputedMatrix() throws {
        // [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]]
        let a = Matrix(rows: [[4, 2], [2, 3]])
        let l = try a.cholesky()
        #expect(l.isApproximatelyEqual(to: Matrix(rows: [[2, 0], [1, 2.0.squareRoot()]]), tolerance: 1e-15))
        #expect(l[0, 1] == 0)
        #expect((l * l.transposed).isApproximatelyEqual(to: a, tolerance: 1e-14))
        // det = 4·3 − 2·2 = 8
        #expect(abs(try a.logDeterminant() - log(8.0)) < 1e-14)
        #expect(abs(try a.determinant() - 8) < 1e-14)
    }

    @Test func choleskyOfThreeByThree() throws {
        // Standard example with integer factor L = [[2,0,0],[6,1,0],[−8,5,3]].
        let a = Matrix(rows: [[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
        let l = try a.cholesky()
        #expect(l.isApproximatelyEqual(to: Matrix(rows: [[2, 0, 0], [6, 1, 0], [-8, 5, 3]]), tolerance: 1e-13))
        #expect(abs(try a.logDeterminant() - log(36.0)) < 1e-13)  // (2·1·3)²
    }

    @Test func choleskyRejectsIndefiniteAndAsymmetricMatrices() {
        #expect(throws: MatrixError.notPositiveDefinite(minor: 2)) { try Matrix(rows: [[1, 2], [2, 1]]).cholesky() }
        #expect(throws: MatrixError.notPositiveDefinite(minor: 1)) { try Matrix(rows: [[-1, 0], [0, 1]]).cholesky() }
        #expect(throws: MatrixError.notSymmetric(operation: "cholesky")) { try Matrix(rows: [[1, 2], [0, 1]]).cholesky() }
        #expect(throws: MatrixError.notSquare(operation: "cholesky", shape: MatrixShape(rows: 2, columns: 3))) {
            try Matrix(rows: 2, columns: 3).cholesky()
        }
        #expect(throws: MatrixError.notPositiveDefinite(minor: 2)) { try Matrix(rows: [[1, 1], [1, 1]]).logDeterminant() }
    }

    @Test func symmetricEigenOfTwoByTwo() throws {
        // [[2,1],[1,2]]: λ = 1 with (1, −1)/√2, λ = 3 with (1, 1)/√2.
        let a = Matrix(rows: [[2, 1], [1, 2]])
        let (values, vectors) = try a.symmetricEigen()
        #expect(abs(values[0] - 1) < 1e-14 && abs(values[1] - 3) < 1e-14)
        let r = 0.5.squareRoot()
        let v1 = vectors.column(0), v3 = vectors.column(1)
        // Up to sign: |v·e| = 1 for the expected unit vector e.
        #expect(abs(abs(v1[0] * r - v1[1] * r) - 1) < 1e-14)
        #expect(abs(abs(v3[0] * r + v3[1] * r) - 1) < 1e-14)
        // λ = 3's vector has both components positive after sign normalisation.
        #expect(v3[0] > 0 && v3[1] > 0)
    }

    @Test func symmetricEigenOfTridiagonal() throws {
        // The 3×3 second-difference matrix has eigenvalues 2 − √2, 2, 2 + √2.
        let a = Matrix(rows: [[2, -1, 0], [-1, 2, -1], [0, -1, 2]])
        let (values, v) = try a.symmetricEigen()
        let s = 2.0.squareRoot()
        #expect(zip(values, [2 - s, 2, 2 + s]).allSatisfy { abs($0 - $1) < 1e-14 })
        #expect((v.transposed * v).isApproximatelyEqual(to: .identity(3), tolerance: 1e-14))
        #expect((a * v).isApproximatelyEqual(to: v * Matrix.diagonal(values), tolerance: 1e-14))
    }

    @Test func symmetricEigenOfDiagonalSortsAndFixesSigns() throws {
        let (values, vectors) = try Matrix.diagonal([3, 1, 2]).symmetricEigen()
        #expect(values == [1, 2, 3])
        #expect(vectors.rowArrays == [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    }

    @Test func singularMatricesThrow() {
        #expect(throws: MatrixError.singular(pivot: 1)) { try Matrix(rows: [[1, 2], [2, 4]]).solve([1, 1]) }
        #expect(throws: MatrixError.singular(pivot: 1)) { try Matrix(rows: [[1, 2], [2, 4]]).inverse() }
        #expect(throws: MatrixError.singular(pivot: 0)) { try Matrix(rows: 2, columns: 2).solve([1, 1]) }
        // [[1,2,3],[4,5,6],[7,8,9]] is singular, but LU in floating point may leave a tiny
        // pivot instead of an exact zero; either way it must not return a solution.
        do {
            let x = try Matrix(rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]).solve([1, 2, 3])
            Issue.record("singular system returned \(x)")
        } catch {
            switch error {
            case .singular, .illConditioned: break
            default: Issue.record("unexpected error \(error)")
            }
        }
        // Numerically singular: U = [[1, 1], [0, ε]] has no zero pivot, but rcond ≈ ε/4 < ε.
        do {
            _ = try Matrix(rows: [[1, 1], [1, 1 + Double.ulpOfOne]]).solve([1, 1])
            Issue.record("numerically singular system was solved")
        } catch {
            guard case let .illConditioned(rcond) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(rcond > 0 && rcond < Double.ulpOfOne)
        }
    }

    @Test func nonFiniteInputsThrow() {
        let good = Matrix(rows: [[2, 1], [1, 3]])
        #expect(throws: MatrixError.nonFinite(operation: "solve")) { try Matrix(rows: [[.nan, 1], [1, 3]]).solve([1, 1]) }
        #expect(throws: MatrixError.nonFinite(operation: "solve")) { try good.solve([.infinity, 1]) }
        #expect(throws: MatrixError.nonFinite(operation: "cholesky")) { try Matrix(rows: [[.infinity, 0], [0, 1]]).cholesky() }
        #expect(throws: MatrixError.nonFinite(operation: "symmetricEigen")) { try Matrix(rows: [[1, .nan], [.nan, 1]]).symmetricEigen() }
        #expect(throws: MatrixError.nonFinite(operation: "leastSquares")) { try good.leastSquares(Matrix(column: [1, -.infinity])) }
        #expect(throws: MatrixError.nonFinite(operation: "inverse")) { try Matrix(rows: [[.nan]]).inverse() }
        #expect(throws: MatrixError.nonFinite(operation: "determinant")) { try Matrix(rows: [[.nan]]).determinant() }
    }

    @Test func resultOverflowThrowsInsteadOfReturningInfinity() {
        // det = 1e200 · 1e200 overflows.
        #expect(throws: MatrixError.nonFinite(operation: "determinant")) { try Matrix.diagonal([1e200, 1e200]).determinant() }
    }

    @Test func dimensionMismatchThrows() {
        let a = Matrix(rows: [[2, 1], [1, 3]])
        #expect(
            throws: MatrixError.dimensionMismatch(
                operation: "solve",
                lhs: MatrixShape(rows: 2, columns: 2),
                rhs: MatrixShape(rows: 3, columns: 1))
        ) {
            try a.solve([1, 2, 3])
        }
        #expect(
            throws: MatrixError.dimensionMismatch(
                operation: "leastSquares",
                lhs: MatrixShape(rows: 2, columns: 2),
                rhs: MatrixShape(rows: 1, columns: 1))
        ) {
            try a.leastSquares(Matrix(column: [1]))
        }
        #expect(throws: MatrixError.notSquare(operation: "solve", shape: MatrixShape(rows: 1, columns: 2))) {
            try Matrix(rows: [[1, 2]]).solve([1])
        }
    }

    @Test func emptyProblemsAreAnsweredWithoutLAPACK() throws {
        #expect(try Matrix.identity(0).solve(Matrix(rows: 0, columns: 2)).shape == MatrixShape(rows: 0, columns: 2))
        #expect(try Matrix.identity(0).cholesky() == Matrix.identity(0))
        #expect(try Matrix.identity(0).symmetricEigen().values.isEmpty)
        #expect(try Matrix.identity(0).logDeterminant() == 0)
    }

    @Test func errorDescriptionsNameTheProblem() {
        let error = MatrixError.dimensionMismatch(
            operation: "solve", lhs: MatrixShape(rows: 2, columns: 2),
            rhs: MatrixShape(rows: 3, columns: 1))
        #expect(error.description == "solve: incompatible shapes 2×2 and 3×1")
        #expect(MatrixError.notPositiveDefinite(minor: 2).description.contains("order 2"))
    }
}
