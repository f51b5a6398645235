import CBLAS

/// The shape of a matrix, `rows × columns`.
public struct MatrixShape: Hashable, Sendable, Codable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    public var description: String { "\(rows)×\(columns)" }
}

/// A dense real matrix of `Double` in column-major order (the BLAS/LAPACK layout).
///
/// Element (r, c) lives at `elements[r + c * rows]`. Any dimension may be zero; the empty
/// products and sums follow the usual conventions (an m×0 times 0×n product is the m×n zero
/// matrix). Shape mismatches in the arithmetic operators are programmer errors and trap; the
/// factorizations in `Matrix+LAPACK.swift` throw `MatrixError` instead.
///
/// Equality is exact, element by element (so a matrix holding NaN is not equal to itself); use
/// `isApproximatelyEqual(to:tolerance:)` for numerical comparisons.
public struct Matrix: Equatable, Sendable, Codable, CustomStringConvertible {
    /// Number of rows, m ≥ 0.
    public let rows: Int
    /// Number of columns, n ≥ 0.
    public let columns: Int
    /// Column-major storage, `rows * columns` values.
    public internal(set) var elements: [Double]

    // MARK: - Construction

    /// An m×n matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from column-major storage; `elements.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        precondition(
            elements.count == rows * columns,
            "Matrix storage has \(elements.count) values, \(rows)×\(columns) needs \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from a row literal, `Matrix(rows: [[1, 2], [3, 4]])` being
    /// ⎡1 2⎤
    /// ⎣3 4⎦.
    /// Every row must have the same length. `[]` gives the 0×0 matrix.
    public init(rows rowValues: [[Double]]) {
        let m = rowValues.count
        let n = rowValues.first?.count ?? 0
        precondition(rowValues.allSatisfy { $0.count == n }, "Matrix rows must all have the same length")
        var storage = [Double](repeating: 0, count: m * n)
        for (r, row) in rowValues.enumerated() {
            for (c, value) in row.enumerated() { storage[r + c * m] = value }
        }
        self.init(rows: m, columns: n, columnMajor: storage)
    }

    /// A column vector (n×1).
    public init(column: [Double]) {
        self.init(rows: column.count, columns: 1, columnMajor: column)
    }

    /// The n×n identity matrix I.
    public static func identity(_ n: Int) -> Matrix {
        diagonal(Array(repeating: 1, count: n))
    }

    /// The square matrix with `values` on the diagonal and zeros elsewhere.
    public static func diagonal(_ values: [Double]) -> Matrix {
        let n = values.count
        var result = Matrix(rows: n, columns: n)
        for i in 0..<n { result.elements[i + i * n] = values[i] }
        return result
    }

    /// The m×n zero matrix.
    public static func zeros(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns)
    }

    // MARK: - Access

    /// Element (row, column), zero-based. Out-of-range indices trap.
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return elements[row + column * rows]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            elements[row + column * rows] = newValue
        }
    }

    /// The shape `rows × columns`.
    public var shape: MatrixShape { MatrixShape(rows: rows, columns: columns) }

    /// True when rows == columns (including 0×0).
    public var isSquare: Bool { rows == columns }

    /// True when no element is NaN or ±∞.
    public var isFinite: Bool { elements.allSatisfy(\.isFinite) }

    /// Column `c` as an array of `rows` values.
    public func column(_ c: Int) -> [Double] {
        precondition(c >= 0 && c < columns, "Matrix column out of range")
        return Array(elements[(c * rows)..<((c + 1) * rows)])
    }

    /// Row `r` as an array of `columns` values.
    public func row(_ r: Int) -> [Double] {
        precondition(r >= 0 && r < rows, "Matrix row out of range")
        return (0..<columns).map { elements[r + $0 * rows] }
    }

    /// The rows as nested arrays (the inverse of `init(rows:)`).
    public var rowArrays: [[Double]] { (0..<rows).map(row) }

    /// The largest |aᵢⱼ|, or 0 for an empty matrix. NaN elements are ignored.
    public var maxAbsoluteElement: Double {
        elements.reduce(0) { Swift.max($0, Swift.abs($1)) }
    }

    // MARK: - Simple derived quantities

    /// The transpose Aᵀ, with (Aᵀ)ᵢⱼ = Aⱼᵢ.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for c in 0..<columns {
            for r in 0..<rows { result.elements[c + r * columns] = elements[r + c * rows] }
        }
        return result
    }

    /// The trace Σᵢ aᵢᵢ of a square matrix (0 for 0×0). Traps if the matrix is not square.
    public var trace: Double {
        precondition(isSquare, "trace needs a square matrix, got \(shape)")
        var sum = 0.0
        for i in 0..<rows { sum += elements[i + i * rows] }
        return sum
    }

    /// True when the matrix is square and |aᵢⱼ − aⱼᵢ| ≤ tolerance · max|aₖₗ| for every pair.
    ///
    /// The tolerance is relative to the largest element, so the test does not depend on units;
    /// `tolerance: 0` demands exact symmetry. A matrix containing NaN is never symmetric.
    public func isSymmetric(tolerance: Double = 0) -> Bool {
        guard isSquare, isFinite else { return false }
        let bound = tolerance * maxAbsoluteElement
        for c in 0..<columns {
            for r in (c + 1)..<rows where Swift.abs(self[r, c] - self[c, r]) > bound {
                return false
            }
        }
        return true
    }

    /// True when the shapes agree and |aᵢⱼ − bᵢⱼ| ≤ tolerance for every element (absolute).
    public func isApproximatelyEqual(to other: Matrix, tolerance: Double) -> Bool {
        guard shape == other.shape else { return false }
        return zip(elements, other.elements).allSatisfy { Swift.abs($0 - $1) <= tolerance }
    }

    // MARK: - Arithmetic

    /// Elementwise sum A + B. Shapes must match.
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.shape == rhs.shape, "Matrix + needs equal shapes, got \(lhs.shape) and \(rhs.shape)")
        return Matrix(
            rows: lhs.rows, columns: lhs.columns,
            columnMajor: zip(lhs.elements, rhs.elements).map { $0 + $1 })
    }

    /// Elementwise difference A − B. Shapes must match.
    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.shape == rhs.shape, "Matrix - needs equal shapes, got \(lhs.shape) and \(rhs.shape)")
        return Matrix(
            rows: lhs.rows, columns: lhs.columns,
            columnMajor: zip(lhs.elements, rhs.elements).map { $0 - $1 })
    }

    /// Negation −A.
    public static prefix func - (operand: Matrix) -> Matrix {
        Matrix(rows: operand.rows, columns: operand.columns, columnMajor: operand.elements.map { -$0 })
    }

    /// Scalar multiple s·A.
    public static func * (scalar: Double, matrix: Matrix) -> Matrix {
        Matrix(rows: matrix.rows, columns: matrix.columns, columnMajor: matrix.elements.map { scalar * $0 })
    }

    /// Scalar multiple A·s.
    public static func * (matrix: Matrix, scalar: Double) -> Matrix { scalar * matrix }

    /// Matrix product A·B (m×k times k×n gives m×n) through `cblas_dgemm`.
    /// Inner dimensions must agree; k = 0 gives the m×n zero matrix.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows, "Matrix product needs inner dimensions to agree, got \(lhs.shape) · \(rhs.shape)")
        let m = lhs.rows, n = rhs.columns, k = lhs.columns
        var result = Matrix(rows: m, columns: n)
        guard m > 0, n > 0, k > 0 else { return result }
        TwinMathRuntime.configure()
        lhs.elements.withUnsafeBufferPointer { a in
            rhs.elements.withUnsafeBufferPointer { b in
                result.elements.withUnsafeMutableBufferPointer { c in
                    cblas_dgemm(
                        CblasColMajor, CblasNoTrans, CblasNoTrans,
                        blasint(m), blasint(n), blasint(k),
                        1.0, a.baseAddress, blasint(m),
                        b.baseAddress, blasint(k),
                        0.0, c.baseAddress, blasint(m))
                }
            }
        }
        return result
    }

    /// Matrix–vector product A·x (m×n times n-vector gives an m-vector) through `cblas_dgemv`.
    public static func * (lhs: Matrix, rhs: [Double]) -> [Double] {
        precondition(lhs.columns == rhs.count, "Matrix-vector product needs \(lhs.columns) values, got \(rhs.count)")
        let m = lhs.rows, n = lhs.columns
        var result = [Double](repeating: 0, count: m)
        guard m > 0, n > 0 else { return result }
        TwinMathRuntime.configure()
        lhs.elements.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    cblas_dgemv(
                        CblasColMajor, CblasNoTrans, blasint(m), blasint(n),
                        1.0, a.baseAddress, blasint(m), x.baseAddress, 1,
                        0.0, y.baseAddress, 1)
                }
            }
        }
        return result
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey { case rows, columns, elements }

    /// Decodes `{rows, columns, elements}` (column-major) and rejects inconsistent shapes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows)
        let columns = try container.decode(Int.self, forKey: .columns)
        let elements = try container.decode([Double].self, forKey: .elements)
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, count == elements.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .elements, in: container,
                debugDescription: "Matrix of \(rows)×\(columns) cannot hold \(elements.count) elements")
        }
        self.init(rows: rows, columns: columns, columnMajor: elements)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encode(elements, forKey: .elements)
    }

    // MARK: - Description

    /// Rows on separate lines, e.g. `[1.0, 2.0]\n[3.0, 4.0]`; `[]` for an empty matrix.
    public var description: String {
        guard rows > 0, columns > 0 else { return "[] (\(shape))" }
        return rowArrays.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" }.joined(separator: "\n")
    }
}
