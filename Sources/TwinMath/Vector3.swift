import RealModule

/// Geometry on `SIMD3<Double>`: the local frame is x east, y north, z up, in metres.
public typealias Vec3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// Euclidean length ‖v‖.
    @inlinable public var norm: Double { (self * self).sum().squareRoot() }
    /// Squared length ‖v‖², cheaper than `norm` where only comparisons are needed.
    @inlinable public var normSquared: Double { (self * self).sum() }
    /// Dot product.
    @inlinable public func dot(_ other: Self) -> Double { (self * other).sum() }
    /// Cross product self × other.
    @inlinable public func cross(_ o: Self) -> Self {
        Self(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    /// Unit vector in the same direction; the zero vector stays zero (no NaN).
    @inlinable public var normalized: Self {
        let n = norm
        return n > 0 ? self / n : .zero
    }
    /// Distance to another point.
    @inlinable public func distance(to other: Self) -> Double { (self - other).norm }
    /// Horizontal (x, y) distance, the d_2D of TR 38.901.
    @inlinable public func horizontalDistance(to other: Self) -> Double {
        let dx = x - other.x, dy = y - other.y
        return (dx * dx + dy * dy).squareRoot()
    }
    /// Azimuth of the vector, radians counter-clockwise from +x, in (−π, π].
    @inlinable public var azimuth: Double { Double.atan2(y: y, x: x) }
    /// Elevation above the horizontal plane, radians in [−π/2, π/2].
    @inlinable public var elevation: Double {
        Double.atan2(y: z, x: (x * x + y * y).squareRoot())
    }
    /// Unit vector for an azimuth and elevation (radians).
    @inlinable public static func unit(azimuth: Double, elevation: Double = 0) -> Self {
        let ce = Double.cos(elevation)
        return Self(ce * Double.cos(azimuth), ce * Double.sin(azimuth), Double.sin(elevation))
    }
    /// True when every component is finite (neither NaN nor infinite).
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
}
