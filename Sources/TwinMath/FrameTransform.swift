import RealModule

/// A rigid transform of the local frame x east, y north, z up: a rotation by `rotation`
/// radians about z followed by a translation. `apply(p) = R(rotation)·p + translation`.
///
/// An operator's frame (docs/domain.md §8) relates to the world frame by its `frameOffset` o and
/// `frameRotationDeg` θ: a world point w has operator coordinates r = R(−θ)(w − o), and
/// w = R(θ)·r + o, so `FrameTransform(rotation: θ, translation: o)` maps operator coordinates
/// to world coordinates and its `inverse` maps world to operator coordinates. An azimuth
/// measured in the operator's frame is the world azimuth minus θ.
public struct FrameTransform: Sendable, Equatable, Codable {
    public var rotation: Double
    public var translation: Vec3

    public init(rotation: Double, translation: Vec3) {
        self.rotation = rotation
        self.translation = translation
    }

    public static let identity = FrameTransform(rotation: 0, translation: .zero)

    /// R(rotation)·v, without the translation (velocities, directions).
    @inlinable public func rotate(_ v: Vec3) -> Vec3 {
        let (c, s) = (Double.cos(rotation), Double.sin(rotation))
        return Vec3(c * v.x - s * v.y, s * v.x + c * v.y, v.z)
    }

    @inlinable public func apply(_ p: Vec3) -> Vec3 { rotate(p) + translation }

    /// R·P·Rᵀ.
    public func rotate(_ p: SymmetricMatrix3) -> SymmetricMatrix3 {
        let (c, s) = (Double.cos(rotation), Double.sin(rotation))
        // Rows of R·P, then (R·P)·Rᵀ.
        let a00 = c * p.xx - s * p.xy, a01 = c * p.xy - s * p.yy, a02 = c * p.xz - s * p.yz
        let a10 = s * p.xx + c * p.xy, a11 = s * p.xy + c * p.yy, a12 = s * p.xz + c * p.yz
        return SymmetricMatrix3(
            xx: a00 * c - a01 * s, xy: a00 * s + a01 * c, xz: a02,
            yy: a10 * s + a11 * c, yz: a12, zz: p.zz)
    }

    /// The transform that undoes this one.
    public var inverse: FrameTransform {
        let back = FrameTransform(rotation: -rotation, translation: .zero)
        return FrameTransform(rotation: -rotation, translation: -back.rotate(translation))
    }

    /// The transform that best maps `from[i]` onto `to[i]` in the least-squares sense over the
    /// horizontal plane (2-D Procrustes / Kabsch with a rotation about z only): with centroids
    /// f̄, t̄ and centred points fᵢ', tᵢ', θ = atan2(Σ fᵢ' × tᵢ', Σ fᵢ' · tᵢ') (cross and dot
    /// products of the x, y parts), translation = t̄ − R(θ)·f̄ (z: the mean height difference).
    /// Nil for fewer than two points or points that all coincide horizontally.
    public static func procrustes(from: [Vec3], to: [Vec3]) -> FrameTransform? {
        guard from.count == to.count, from.count >= 2 else { return nil }
        let n = Double(from.count)
        let fm = from.reduce(Vec3.zero, +) / n
        let tm = to.reduce(Vec3.zero, +) / n
        var (cross, dot) = (0.0, 0.0)
        for (f, t) in zip(from, to) {
            let (a, b) = (f - fm, t - tm)
            cross += a.x * b.y - a.y * b.x
            dot += a.x * b.x + a.y * b.y
        }
        guard cross != 0 || dot > 0, (cross * cross + dot * dot).isFinite else { return nil }
        let rotation = Double.atan2(y: cross, x: dot)
        let r = FrameTransform(rotation: rotation, translation: .zero)
        return FrameTransform(rotation: rotation, translation: tm - r.rotate(fm))
    }
}
