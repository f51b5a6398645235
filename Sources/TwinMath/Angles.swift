/// An angle wrapped into (−π, π]; 0 for a non-finite input (never NaN into the twin). The
/// inputs are a wrapped angle plus a small error or rotation, so a loop rather than fmod.
@inlinable @inline(__always) public func wrapAngle(_ a: Double) -> Double {
    guard a.isFinite else { return 0 }
    var x = a
    while x > .pi { x -= 2 * .pi }
    while x <= -.pi { x += 2 * .pi }
    return x
}
