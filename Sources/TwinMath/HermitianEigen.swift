import CLAPACKE
import ComplexModule
import RealModule

/// A dense complex matrix, column-major (element (r, c) at `elements[r + c·rows]`).
///
/// Only what subspace methods need: products, the conjugate transpose, sample covariances and
/// the Hermitian eigen-decomposition (`hermitianEigen`, LAPACK `zheevd`).
public struct ComplexMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var elements: [Complex<Double>]

    /// The zero matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "ComplexMatrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        elements = Array(repeating: .zero, count: rows * columns)
    }

    /// A matrix from its column-major elements.
    public init(rows: Int, columns: Int, elements: [Complex<Double>]) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns, "ComplexMatrix element count mismatch")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix whose columns are the given vectors (all of one length).
    public init(columns vectors: [[Complex<Double>]]) {
        let n = vectors.first?.count ?? 0
        precondition(vectors.allSatisfy { $0.count == n }, "ComplexMatrix columns must have one length")
        self.init(rows: n, columns: vectors.count, elements: vectors.flatMap { $0 })
    }

    public var shape: MatrixShape { MatrixShape(rows: rows, columns: columns) }
    public var isSquare: Bool { rows == columns }
    public var isFinite: Bool { elements.allSatisfy(\.isFinite) }

    public subscript(r: Int, c: Int) -> Complex<Double> {
        get { elements[r + c * rows] }
        set { elements[r + c * rows] = newValue }
    }

    /// Column `c`.
    public func column(_ c: Int) -> [Complex<Double>] { Array(elements[(c * rows)..<((c + 1) * rows)]) }

    /// The conjugate transpose Aᴴ.
    public var adjoint: ComplexMatrix {
        var out = ComplexMatrix(rows: columns, columns: rows)
        for c in 0..<columns { for r in 0..<rows { out[c, r] = self[r, c].conjugate } }
        return out
    }

    /// A·x.
    public func multiply(_ x: [Complex<Double>]) -> [Complex<Double>] {
        precondition(x.count == columns, "ComplexMatrix·vector shape mismatch")
        var y = [Complex<Double>](repeating: .zero, count: rows)
        for c in 0..<columns where x[c] != .zero {
            let xc = x[c]
            for r in 0..<rows { y[r] = y[r] + elements[r + c * rows] * xc }
        }
        return y
    }

    /// A·B.
    public static func * (a: ComplexMatrix, b: ComplexMatrix) -> ComplexMatrix {
        precondition(a.columns == b.rows, "ComplexMatrix product shape mismatch")
        var out = ComplexMatrix(rows: a.rows, columns: b.columns)
        for c in 0..<b.columns {
            let y = a.multiply(b.column(c))
            for r in 0..<a.rows { out[r, c] = y[r] }
        }
        return out
    }

    /// The sample covariance (1/B) Σ_b y_b y_bᴴ of B snapshots of length n (n×n, Hermitian).
    public static func sampleCovariance(_ snapshots: [[Complex<Double>]]) -> ComplexMatrix {
        let n = snapshots.first?.count ?? 0
        precondition(snapshots.allSatisfy { $0.count == n }, "snapshots must have one length")
        var r = ComplexMatrix(rows: n, columns: n)
        guard !snapshots.isEmpty else { return r }
        for y in snapshots {
            for c in 0..<n {
                let yc = y[c].conjugate
                for i in 0..<n { r.elements[i + c * n] = r.elements[i + c * n] + y[i] * yc }
            }
        }
        let scale = 1 / Double(snapshots.count)
        for k in r.elements.indices { r.elements[k] = r.elements[k].multiplied(by: scale) }
        return r
    }

    /// Relative tolerance for accepting a matrix as Hermitian: |aᵢⱼ − conj(aⱼᵢ)| ≤ 1e-10·max|aₖₗ|.
    public static let hermitianTolerance = 1e-10

    /// Eigen-decomposition A = V·diag(λ)·Vᴴ of a Hermitian matrix (LAPACK `zheevd`, divide and
    /// conquer).
    ///
    /// `values` ascend; column i of `vectors` is the unit eigenvector of `values[i]` and V is
    /// unitary. An eigenvector is defined up to a unit phase, so each is rotated to make its
    /// largest-magnitude component real and positive (the first one on ties): results are
    /// deterministic. The matrix is first replaced by its Hermitian part (A + Aᴴ)/2.
    /// - Throws: `notSquare`, `nonFinite`, `notSymmetric` (not Hermitian within
    ///   `hermitianTolerance`), `lapackFailure`.
    public func hermitianEigen() throws(MatrixError) -> (values: [Double], vectors: ComplexMatrix) {
        let operation = "hermitianEigen"
        guard isSquare else { throw .notSquare(operation: operation, shape: shape) }
        guard isFinite else { throw .nonFinite(operation: operation) }
        let n = rows
        if n == 0 { return ([], self) }
        let scale = elements.reduce(0.0) { Swift.max($0, $1.length) }
        var a = self
        for c in 0..<n {
            for r in c..<n {
                let x = self[r, c], y = self[c, r].conjugate
                guard (x - y).length <= Self.hermitianTolerance * scale else { throw .notSymmetric(operation: operation) }
                let mean = (x + y).multiplied(by: 0.5)
                a[r, c] = r == c ? Complex(mean.real, 0) : mean
                a[c, r] = mean.conjugate
            }
        }
        TwinMathRuntime.configure()
        var buffer = a.elements.map { lapack_complex_double_struct(real: $0.real, imag: $0.imaginary) }
        var values = [Double](repeating: 0, count: n)
        let info = buffer.withUnsafeMutableBufferPointer { ab in
            LAPACKE_zheevd(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "L")), Int32(n), ab.baseAddress, Int32(n), &values)
        }
        guard info == 0 else { throw .lapackFailure(routine: "zheevd", info: Int(info)) }
        var v = ComplexMatrix(rows: n, columns: n, elements: buffer.map { Complex($0.real, $0.imag) })
        for c in 0..<n {
            var largest = 0
            for r in 1..<n where v[r, c].length > v[largest, c].length { largest = r }
            let pivot = v[largest, c]
            guard pivot.length > 0 else { continue }
            let phase = pivot.conjugate.divided(by: pivot.length)
            for r in 0..<n { v[r, c] = v[r, c] * phase }
            v[largest, c] = Complex(v[largest, c].length, 0)
        }
        guard values.allSatisfy(\.isFinite), v.isFinite else { throw .nonFinite(operation: operation) }
        return (values, v)
    }
}
