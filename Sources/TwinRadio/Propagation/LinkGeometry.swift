import TwinMath

/// The distances and heights TR 38.901 (§7.4, Figure 7.4.1-1) needs for one link.
///
/// The models are written for a base station (BS) and a user terminal (UT). A sensing link may
/// join any two nodes (BS–target, UE–target, BS–BS), so `init(_:_:)` calls the higher end the
/// BS. Path loss and LOS probability are reciprocal in 38.901, so the order does not matter.
/// Heights are the z coordinates of the local frame (z = 0 is the ground or factory floor).
public struct LinkGeometry: Sendable, Equatable {
    /// Height of the higher end, h_BS, m.
    public var bsHeight: Double
    /// Height of the lower end, h_UT, m.
    public var utHeight: Double
    /// Horizontal distance d_2D, m.
    public var distance2D: Double
    /// Straight-line distance d_3D, m.
    public var distance3D: Double

    /// The geometry of the link between two points; the higher one is the BS.
    public init(_ a: Vec3, _ b: Vec3) {
        let (bs, ut) = a.z >= b.z ? (a, b) : (b, a)
        bsHeight = bs.z
        utHeight = ut.z
        distance2D = bs.horizontalDistance(to: ut)
        distance3D = bs.distance(to: ut)
    }

    /// A geometry from heights and a horizontal distance; d_3D = √(d_2D² + (h_BS − h_UT)²).
    public init(bsHeight: Double, utHeight: Double, distance2D: Double) {
        self.bsHeight = bsHeight
        self.utHeight = utHeight
        self.distance2D = distance2D
        let dh = bsHeight - utHeight
        distance3D = (distance2D * distance2D + dh * dh).squareRoot()
    }
}
