/// A symmetric 3×3 matrix in six numbers, for the small covariance algebra of association
/// (gating, information fusion) without allocation.
public struct SymmetricMatrix3: Sendable, Equatable, Codable {
    public var xx, xy, xz, yy, yz, zz: Double

    public init(xx: Double, xy: Double, xz: Double, yy: Double, yz: Double, zz: Double) {
        (self.xx, self.xy, self.xz, self.yy, self.yz, self.zz) = (xx, xy, xz, yy, yz, zz)
    }

    public static let zero = SymmetricMatrix3(xx: 0, xy: 0, xz: 0, yy: 0, yz: 0, zz: 0)

    public init(_ m: Matrix) {
        self.init(xx: m[0, 0], xy: m[0, 1], xz: m[0, 2], yy: m[1, 1], yz: m[1, 2], zz: m[2, 2])
    }

    /// The outer product s·v·vᵀ.
    public static func outer(_ v: Vec3, _ s: Double) -> SymmetricMatrix3 {
        SymmetricMatrix3(
            xx: s * v.x * v.x, xy: s * v.x * v.y, xz: s * v.x * v.z, yy: s * v.y * v.y, yz: s * v.y * v.z, zz: s * v.z * v.z)
    }

    public var matrix: Matrix { Matrix(rows: [[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]]) }
    public var trace: Double { xx + yy + zz }
    public var isFinite: Bool { xx.isFinite && xy.isFinite && xz.isFinite && yy.isFinite && yz.isFinite && zz.isFinite }

    public static func + (a: Self, b: Self) -> Self {
        SymmetricMatrix3(xx: a.xx + b.xx, xy: a.xy + b.xy, xz: a.xz + b.xz, yy: a.yy + b.yy, yz: a.yz + b.yz, zz: a.zz + b.zz)
    }

    public static func * (a: Self, v: Vec3) -> Vec3 {
        Vec3(a.xx * v.x + a.xy * v.y + a.xz * v.z, a.xy * v.x + a.yy * v.y + a.yz * v.z, a.xz * v.x + a.yz * v.y + a.zz * v.z)
    }

    /// vᵀ·A·v.
    public func quadratic(_ v: Vec3) -> Double { v.dot(self * v) }

    /// The inverse by cofactors; nil when the determinant is not positive relative to the
    /// scale (the matrix is not numerically positive definite).
    public var determinant: Double {
        xx * (yy * zz - yz * yz) + xy * (xz * yz - xy * zz) + xz * (xy * yz - xz * yy)
    }

    /// Whether every leading minor is positive (Sylvester's criterion), with finite entries:
    /// a valid covariance.
    public var isPositiveDefinite: Bool {
        isFinite && xx > 0 && xx * yy - xy * xy > 0 && determinant > 0
    }

    public var inverse: SymmetricMatrix3? {
        let c00 = yy * zz - yz * yz
        let c01 = xz * yz - xy * zz
        let c02 = xy * yz - xz * yy
        let det = xx * c00 + xy * c01 + xz * c02
        let scale = Swift.max(xx, yy, zz)
        guard det.isFinite, scale > 0, det > 1e-15 * scale * scale * scale else { return nil }
        let c11 = xx * zz - xz * xz
        let c12 = xy * xz - xx * yz
        let c22 = xx * yy - xy * xy
        let inv = 1 / det
        return SymmetricMatrix3(xx: c00 * inv, xy: c01 * inv, xz: c02 * inv, yy: c11 * inv, yz: c12 * inv, zz: c22 * inv)
    }
}
