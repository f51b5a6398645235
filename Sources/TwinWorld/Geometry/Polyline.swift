import TwinMath

/// A path through 3D points, parametrised by arc length s (metres from the first point).
/// Lanes, aisles and junction connectors are polylines.
public struct Polyline: Sendable, Equatable, Codable {
    public let points: [Vec3]
    /// Cumulative arc length at each point; `cumulative[0] == 0`.
    public let cumulative: [Double]

    public init(_ points: [Vec3]) {
        self.points = points
        var acc = [0.0]
        acc.reserveCapacity(points.count)
        for i in 1..<max(points.count, 1) {
            acc.append(acc[i - 1] + points[i].distance(to: points[i - 1]))
        }
        cumulative = acc
    }

    public var length: Double { cumulative.last ?? 0 }

    /// Index of the segment that holds arc length s (clamped to the ends).
    @inline(__always) func segment(at s: Double) -> Int {
        // Binary search: the largest i with cumulative[i] <= s, capped at points.count - 2.
        var lo = 0, hi = points.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= s { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Point and unit tangent at arc length s (clamped to [0, length]).
    public func pose(at s: Double) -> (position: Vec3, tangent: Vec3) {
        guard points.count > 1 else { return (points.first ?? .zero, Vec3(1, 0, 0)) }
        let i = segment(at: s)
        let a = points[i], b = points[i + 1]
        let segLength = cumulative[i + 1] - cumulative[i]
        guard segLength > 0 else { return (a, Vec3(1, 0, 0)) }
        let t = min(1, max(0, (s - cumulative[i]) / segLength))
        return (a + (b - a) * t, (b - a) / segLength)
    }

    /// Arc length of the point on the polyline nearest to p.
    public func nearestArcLength(to p: Vec3) -> Double {
        var best = (distance: Double.infinity, s: 0.0)
        for i in 0..<(points.count - 1) {
            let a = points[i], ab = points[i + 1] - a
            let len2 = ab.normSquared
            let t = len2 > 0 ? min(1, max(0, (p - a).dot(ab) / len2)) : 0
            let d = (a + ab * t).distance(to: p)
            if d < best.distance { best = (d, cumulative[i] + t * (cumulative[i + 1] - cumulative[i])) }
        }
        return best.s
    }
}
