import TwinMath

/// A state vector of up to nine elements stored inline (no heap allocation), so a tracker
/// with thousands of tracks does its per-frame algebra without touching the allocator.
///
/// Layout shared by every motion model: position (x, y, z) first, then velocity
/// (vx, vy, vz), then the model's extra elements (acceleration for CA, turn rate for CT).
public struct StateVector: Sendable, Equatable, Codable, CustomStringConvertible {
    public static let capacity = 9
    public let count: Int
    @usableFromInline var storage: InlineArray<9, Double>

    public init(count: Int) {
        precondition(count >= 0 && count <= Self.capacity, "state dimension \(count) outside 0...9")
        self.count = count
        storage = InlineArray(repeating: 0)
    }

    public init(_ values: [Double]) {
        self.init(count: values.count)
        for i in values.indices { storage[i] = values[i] }
    }

    @inlinable public subscript(i: Int) -> Double {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    public var array: [Double] { (0..<count).map { storage[$0] } }
    public var position: Vec3 { Vec3(storage[0], storage[1], storage[2]) }
    public var velocity: Vec3 { count >= 6 ? Vec3(storage[3], storage[4], storage[5]) : .zero }
    public var isFinite: Bool { (0..<count).allSatisfy { storage[$0].isFinite } }

    /// The first `n` elements, or zero-padded to `n`.
    public func resized(_ n: Int) -> StateVector {
        var r = StateVector(count: n)
        for i in 0..<Swift.min(n, count) { r[i] = self[i] }
        return r
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a.storage[$0] == b.storage[$0] }
    }

    public static func + (a: Self, b: Self) -> Self {
        var r = a
        for i in 0..<a.count { r[i] += b[i] }
        return r
    }

    public static func - (a: Self, b: Self) -> Self {
        var r = a
        for i in 0..<a.count { r[i] -= b[i] }
        return r
    }

    public static func * (s: Double, a: Self) -> Self {
        var r = a
        for i in 0..<a.count { r[i] *= s }
        return r
    }

    public init(from decoder: any Decoder) throws {
        let values = try [Double](from: decoder)
        guard values.count <= Self.capacity else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "state longer than 9"))
        }
        self.init(values)
    }

    public func encode(to encoder: any Encoder) throws { try array.encode(to: encoder) }

    public var description: String { "\(array)" }
}

/// A square matrix of up to 9×9 stored inline (row-major, row stride 9): covariances and
/// transition Jacobians of the tracker.
public struct StateMatrix: Sendable, Equatable, Codable {
    public let count: Int
    @usableFromInline var storage: InlineArray<81, Double>

    /// The n×n zero matrix.
    public init(count: Int) {
        precondition(count >= 0 && count <= 9, "state dimension \(count) outside 0...9")
        self.count = count
        storage = InlineArray(repeating: 0)
    }

    public init(rows: [[Double]]) {
        self.init(count: rows.count)
        for i in 0..<count {
            precondition(rows[i].count == count, "StateMatrix rows must be square")
            for j in 0..<count { self[i, j] = rows[i][j] }
        }
    }

    public static func identity(_ n: Int) -> StateMatrix {
        var m = StateMatrix(count: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public static func diagonal(_ d: [Double]) -> StateMatrix {
        var m = StateMatrix(count: d.count)
        for i in d.indices { m[i, i] = d[i] }
        return m
    }

    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { storage[i &* 9 &+ j] }
        set { storage[i &* 9 &+ j] = newValue }
    }

    public var rows: [[Double]] { (0..<count).map { i in (0..<count).map { self[i, $0] } } }
    public var isFinite: Bool {
        for i in 0..<count { for j in 0..<count where !self[i, j].isFinite { return false } }
        return true
    }

    /// The upper-left 3×3 block (the position covariance).
    public var positionBlock: SymmetricMatrix3 {
        SymmetricMatrix3(xx: self[0, 0], xy: self[0, 1], xz: self[0, 2], yy: self[1, 1], yz: self[1, 2], zz: self[2, 2])
    }

    /// The 3×3 block at rows and columns 3...5 (the velocity covariance).
    public var velocityBlock: SymmetricMatrix3 {
        SymmetricMatrix3(xx: self[3, 3], xy: self[3, 4], xz: self[3, 5], yy: self[4, 4], yz: self[4, 5], zz: self[5, 5])
    }

    /// Leading n×n block, or zero-padded to n (padding rows and columns are zero).
    public func resized(_ n: Int) -> StateMatrix {
        var r = StateMatrix(count: n)
        let m = Swift.min(n, count)
        for i in 0..<m { for j in 0..<m { r[i, j] = self[i, j] } }
        return r
    }

    /// A·B.
    @inlinable public static func * (a: Self, b: Self) -> Self {
        let n = a.count
        var r = StateMatrix(count: n)
        for i in 0..<n {
            for k in 0..<n {
                let aik = a[i, k]
                if aik == 0 { continue }
                for j in 0..<n { r.storage[i &* 9 &+ j] += aik * b.storage[k &* 9 &+ j] }
            }
        }
        return r
    }

    /// A·Bᵀ.
    @inlinable public func timesTransposed(_ b: Self) -> Self {
        let n = count
        var r = StateMatrix(count: n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += self.storage[i &* 9 &+ k] * b.storage[j &* 9 &+ k] }
                r.storage[i &* 9 &+ j] = s
            }
        }
        return r
    }

    /// F·P·Fᵀ for this P (symmetric result, symmetrised exactly).
    @inlinable public func congruence(_ f: Self) -> Self {
        var r = (f * self).timesTransposed(f)
        r.symmetrize()
        return r
    }

    @inlinable public static func * (a: Self, v: StateVector) -> StateVector {
        var r = StateVector(count: a.count)
        for i in 0..<a.count {
            var s = 0.0
            for k in 0..<a.count { s += a[i, k] * v[k] }
            r[i] = s
        }
        return r
    }

    public static func + (a: Self, b: Self) -> Self {
        var r = a
        for i in 0..<a.count { for j in 0..<a.count { r[i, j] += b[i, j] } }
        return r
    }

    public static func - (a: Self, b: Self) -> Self {
        var r = a
        for i in 0..<a.count { for j in 0..<a.count { r[i, j] -= b[i, j] } }
        return r
    }

    public static func * (s: Double, a: Self) -> Self {
        var r = a
        for i in 0..<a.count { for j in 0..<a.count { r[i, j] *= s } }
        return r
    }

    /// Row `target` += s·row `source` (in place: the left half of F·P for a kinematic F).
    @inlinable public mutating func addRow(_ source: Int, to target: Int, scale s: Double) {
        let n = count
        for j in 0..<n { storage[target &* 9 &+ j] += s * storage[source &* 9 &+ j] }
    }

    /// Column `target` += s·column `source` (in place: the right half, ·Fᵀ).
    @inlinable public mutating func addColumn(_ source: Int, to target: Int, scale s: Double) {
        let n = count
        for i in 0..<n { storage[i &* 9 &+ target] += s * storage[i &* 9 &+ source] }
    }

    /// Adds s·u·vᵀ (rank-one update).
    @inlinable public mutating func addOuter(_ u: StateVector, _ v: StateVector, scale s: Double) {
        for i in 0..<count {
            let ui = s * u[i]
            for j in 0..<count { storage[i &* 9 &+ j] += ui * v[j] }
        }
    }

    /// Replaces A by (A + Aᵀ)/2.
    @inlinable public mutating func symmetrize() {
        for i in 0..<count {
            for j in (i + 1)..<Swift.max(i + 1, count) {
                let m = 0.5 * (self[i, j] + self[j, i])
                self[i, j] = m
                self[j, i] = m
            }
        }
    }

    /// Whether the matrix is finite and positive definite: its Cholesky factorisation (of the
    /// lower triangle, packed) succeeds.
    public var isPositiveDefinite: Bool {
        var l = InlineArray<45, Double>(repeating: 0)
        for j in 0..<count {
            let jj = j &* (j &+ 1) / 2
            var d = self[j, j]
            for k in 0..<j { d -= l[jj &+ k] * l[jj &+ k] }
            guard d > 0, d.isFinite else { return false }
            let ljj = d.squareRoot()
            l[jj &+ j] = ljj
            var i = j &+ 1
            while i < count {
                let ii = i &* (i &+ 1) / 2
                var s = self[i, j]
                for k in 0..<j { s -= l[ii &+ k] * l[jj &+ k] }
                guard s.isFinite else { return false }
                l[ii &+ j] = s / ljj
                i &+= 1
            }
        }
        return true
    }

    /// Solves A·x = b for symmetric positive-definite A by Cholesky; nil if A is not.
    public func solve(_ b: StateVector) -> StateVector? {
        var l = StateMatrix(count: count)
        for j in 0..<count {
            var d = self[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 0, d.isFinite else { return nil }
            let ljj = d.squareRoot()
            l[j, j] = ljj
            for i in (j + 1)..<Swift.max(j + 1, count) {
                var s = self[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / ljj
            }
        }
        var y = StateVector(count: count)
        for i in 0..<count {
            var s = b[i]
            for k in 0..<i { s -= l[i, k] * y[k] }
            y[i] = s / l[i, i]
        }
        var x = StateVector(count: count)
        for i in stride(from: count - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<Swift.max(i + 1, count) { s -= l[k, i] * x[k] }
            x[i] = s / l[i, i]
        }
        return x
    }

    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count { for j in 0..<a.count where a[i, j] != b[i, j] { return false } }
        return true
    }

    public init(from decoder: any Decoder) throws {
        let rows = try [[Double]](from: decoder)
        guard rows.count <= 9, rows.allSatisfy({ $0.count == rows.count }) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "matrix not square or larger than 9×9"))
        }
        self.init(rows: rows)
    }

    public func encode(to encoder: any Encoder) throws { try rows.encode(to: encoder) }
}
