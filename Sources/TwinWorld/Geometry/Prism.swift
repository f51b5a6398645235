import TwinMath

public typealias Point2 = SIMD2<Double>

/// A vertical prism: a footprint polygon extruded from `zMin` to `zMax`. Machines, racks and
/// walls of a factory hall (boxes) and buildings of a road map (footprints with a height) are
/// all prisms, so one set of intersection tests serves both.
public struct Prism: Sendable, Equatable, Codable {
    public var name: String
    /// What the obstacle is (machine, rack, wall, building); carried into reports.
    public var kind: String
    /// Footprint corners in order (either winding); at least 3, not self-intersecting.
    public var footprint: [Point2]
    public var zMin: Double
    public var zMax: Double
    /// Axis-aligned bounds of the footprint, for quick rejection.
    public let lower: Point2
    public let upper: Point2

    public init(name: String, kind: String, footprint: [Point2], zMin: Double, zMax: Double) {
        self.name = name
        self.kind = kind
        self.footprint = footprint
        self.zMin = zMin
        self.zMax = zMax
        var lo = Point2(repeating: .infinity), hi = Point2(repeating: -.infinity)
        for p in footprint {
            lo = pointwiseMin(lo, p)
            hi = pointwiseMax(hi, p)
        }
        lower = lo
        upper = hi
    }

    /// An axis-aligned box from two opposite corners.
    public init(name: String, kind: String, min a: Vec3, max b: Vec3) {
        self.init(
            name: name, kind: kind,
            footprint: [Point2(a.x, a.y), Point2(b.x, a.y), Point2(b.x, b.y), Point2(a.x, b.y)],
            zMin: a.z, zMax: b.z)
    }

    /// Signed area of the footprint (shoelace formula); positive when counter-clockwise.
    public var signedArea: Double {
        var sum = 0.0
        for i in footprint.indices {
            let p = footprint[i], q = footprint[(i + 1) % footprint.count]
            sum += p.x * q.y - q.x * p.y
        }
        return sum / 2
    }

    /// Whether a horizontal point lies inside the footprint (even–odd rule), or within
    /// `clearance` metres of its boundary.
    public func footprintContains(_ p: Point2, clearance: Double = 0) -> Bool {
        if p.x < lower.x - clearance || p.x > upper.x + clearance
            || p.y < lower.y - clearance || p.y > upper.y + clearance
        {
            return false
        }
        var inside = false
        var j = footprint.count - 1
        for i in footprint.indices {
            let a = footprint[i], b = footprint[j]
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x)
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        if inside || clearance <= 0 { return inside }
        return edgeDistance(to: p) < clearance
    }

    /// Whether a 3D point lies inside the prism, grown by `clearance` sideways and vertically.
    public func contains(_ p: Vec3, clearance: Double = 0) -> Bool {
        p.z >= zMin - clearance && p.z <= zMax + clearance
            && footprintContains(Point2(p.x, p.y), clearance: clearance)
    }

    /// Smallest distance from a horizontal point to the footprint's edges.
    public func edgeDistance(to p: Point2) -> Double {
        var best = Double.infinity
        var j = footprint.count - 1
        for i in footprint.indices {
            best = min(best, Segment2.distance(from: p, toSegment: footprint[j], footprint[i]))
            j = i
        }
        return best
    }

    /// Whether the horizontal segment a→b touches the footprint grown by `clearance`.
    public func footprintIntersects(_ a: Point2, _ b: Point2, clearance: Double = 0) -> Bool {
        let segLo = pointwiseMin(a, b), segHi = pointwiseMax(a, b)
        if segHi.x < lower.x - clearance || segLo.x > upper.x + clearance
            || segHi.y < lower.y - clearance || segLo.y > upper.y + clearance
        {
            return false
        }
        if footprintContains(a) || footprintContains(b) { return true }
        var j = footprint.count - 1
        for i in footprint.indices {
            let p = footprint[j], q = footprint[i]
            if Segment2.intersect(a, b, p, q) { return true }
            if clearance > 0 && Segment2.distance(a, b, p, q) < clearance { return true }
            j = i
        }
        return false
    }

    /// Whether the 3D segment a→b passes through the prism (grown by `clearance`): the part of
    /// the segment inside the prism's height range is tested against the footprint.
    public func intersects(_ a: Vec3, _ b: Vec3, clearance: Double = 0) -> Bool {
        let lo = zMin - clearance, hi = zMax + clearance
        var t0 = 0.0, t1 = 1.0
        let dz = b.z - a.z
        if abs(dz) < 1e-12 {
            if a.z < lo || a.z > hi { return false }
        } else {
            var ta = (lo - a.z) / dz, tb = (hi - a.z) / dz
            if ta > tb { swap(&ta, &tb) }
            t0 = max(t0, ta)
            t1 = min(t1, tb)
            if t0 > t1 { return false }
        }
        let pa = a + (b - a) * t0, pb = a + (b - a) * t1
        return footprintIntersects(Point2(pa.x, pa.y), Point2(pb.x, pb.y), clearance: clearance)
    }
}

/// Tests on plane segments.
public enum Segment2 {
    @inline(__always) static func cross(_ a: Point2, _ b: Point2) -> Double { a.x * b.y - a.y * b.x }

    /// Whether segments a–b and c–d share a point (touching counts).
    public static func intersect(_ a: Point2, _ b: Point2, _ c: Point2, _ d: Point2) -> Bool {
        let r = b - a, s = d - c
        let denom = cross(r, s)
        let ac = c - a
        if abs(denom) < 1e-15 {
            // Parallel: intersect only if collinear and overlapping.
            guard abs(cross(ac, r)) < 1e-12 else { return false }
            let rr = (r * r).sum()
            guard rr > 0 else { return distance(from: a, toSegment: c, d) < 1e-12 }
            let t0 = (ac * r).sum() / rr, t1 = t0 + (s * r).sum() / rr
            return max(t0, t1) >= 0 && min(t0, t1) <= 1
        }
        let t = cross(ac, s) / denom, u = cross(ac, r) / denom
        return t >= 0 && t <= 1 && u >= 0 && u <= 1
    }

    /// Distance from point p to segment a–b.
    public static func distance(from p: Point2, toSegment a: Point2, _ b: Point2) -> Double {
        let ab = b - a
        let len2 = (ab * ab).sum()
        let t = len2 > 0 ? min(1, max(0, ((p - a) * ab).sum() / len2)) : 0
        let q = a + ab * t - p
        return (q * q).sum().squareRoot()
    }

    /// Distance between segments a–b and c–d (zero when they cross).
    public static func distance(_ a: Point2, _ b: Point2, _ c: Point2, _ d: Point2) -> Double {
        if intersect(a, b, c, d) { return 0 }
        return min(
            distance(from: a, toSegment: c, d), distance(from: b, toSegment: c, d),
            distance(from: c, toSegment: a, b), distance(from: d, toSegment: a, b))
    }
}
