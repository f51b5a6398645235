import Testing
import TwinMath
import TwinWorld

struct GeometryTests {
    let box = Prism(name: "b", kind: "machine", min: Vec3(0, 0, 0), max: Vec3(2, 1, 3))

    @Test func prismContainsByFootprintAndHeight() {
        #expect(box.contains(Vec3(1, 0.5, 1)))
        #expect(!box.contains(Vec3(1, 0.5, 3.5)))
        #expect(!box.contains(Vec3(2.2, 0.5, 1)))
        #expect(box.contains(Vec3(2.2, 0.5, 1), clearance: 0.3))
        #expect(box.signedArea == 2)
    }

    @Test func segmentsThroughAndPastTheBox() {
        #expect(box.intersects(Vec3(-1, 0.5, 1), Vec3(3, 0.5, 1)))  // straight through
        #expect(!box.intersects(Vec3(-1, 0.5, 4), Vec3(3, 0.5, 4)))  // over the top
        #expect(box.intersects(Vec3(-1, 0.5, 5), Vec3(3, 0.5, 1)))  // descending into it: z = 3 at x = 1
        #expect(!box.intersects(Vec3(-1, 0.5, 7), Vec3(3, 0.5, 4)))  // descending but above
        #expect(!box.intersects(Vec3(-1, 1.2, 1), Vec3(3, 1.2, 1)))  // 0.2 m beside
        #expect(box.intersects(Vec3(-1, 1.2, 1), Vec3(3, 1.2, 1), clearance: 0.25))
    }

    @Test func concaveFootprint() {
        // An L-shape: the notch (1.5, 1.5) is outside.
        let l = Prism(
            name: "l", kind: "building", footprint: [Point2(0, 0), Point2(2, 0), Point2(2, 1), Point2(1, 1), Point2(1, 2), Point2(0, 2)],
            zMin: 0, zMax: 10)
        #expect(l.footprintContains(Point2(0.5, 1.5)))
        #expect(!l.footprintContains(Point2(1.5, 1.5)))
        #expect(l.signedArea == 3)
    }

    @Test func segmentDistance() {
        #expect(Segment2.distance(from: Point2(0, 1), toSegment: Point2(-1, 0), Point2(1, 0)) == 1)
        #expect(Segment2.distance(from: Point2(3, 4), toSegment: Point2(-1, 0), Point2(0, 0)) == 5)
        #expect(Segment2.intersect(Point2(0, 0), Point2(2, 2), Point2(0, 2), Point2(2, 0)))
        #expect(!Segment2.intersect(Point2(0, 0), Point2(1, 0), Point2(0, 1), Point2(1, 1)))
    }

    @Test func polylineArcLength() {
        let line = Polyline([Vec3(0, 0, 0), Vec3(3, 4, 0), Vec3(3, 10, 0)])
        #expect(line.length == 11)
        let mid = line.pose(at: 2.5)
        #expect(abs(mid.position.x - 1.5) < 1e-12 && abs(mid.position.y - 2) < 1e-12)
        #expect(abs(mid.tangent.x - 0.6) < 1e-12 && abs(mid.tangent.y - 0.8) < 1e-12)
        let late = line.pose(at: 8)
        #expect(late.position == Vec3(3, 7, 0))
        #expect(line.pose(at: 50).position == Vec3(3, 10, 0))
        #expect(abs(line.nearestArcLength(to: Vec3(4, 7, 0)) - 8) < 1e-12)
    }
}
