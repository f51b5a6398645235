import Testing
import TwinMath

@testable import TwinEngine
@testable import TwinStore

@Suite struct RegionScoringTests {
    @Test func parsing() {
        #expect(FloorRegion(parsing: "43,27,60,40") == FloorRegion(minimum: SIMD2(43, 27), maximum: SIMD2(60, 40)))
        #expect(FloorRegion(parsing: " 0, 0.5 ,1,2") == FloorRegion(minimum: SIMD2(0, 0.5), maximum: SIMD2(1, 2)))
        for bad in ["", "1,2,3", "1,2,3,4,5", "3,0,1,1", "0,3,1,1", "0,0,nan,1", "0,0,inf,1", "a,b,c,d", "0,0,,1"] {
            #expect(FloorRegion(parsing: bad) == nil, "\(bad)")
        }
    }

    /// Targets: every mover inside the rectangle, heard or not; estimates within the
    /// threshold of it.
    @Test func restrictKeepsTargetsInsideHeardOrNot() {
        let region = FloorRegion(minimum: SIMD2(0, 0), maximum: SIMD2(10, 10))
        let frame = Recording.ScoringFrame(
            frameIndex: 0, time: 0.1,
            truth: [
                .init(id: 0, position: Vec3(5, 5, 1)), .init(id: 1, position: Vec3(20, 5, 1)), .init(id: 2, position: Vec3(9.9, 0.1, 1)),
            ],
            heard: [1], localizations: [Vec3(5, 5, 1), Vec3(10.8, 5, 1), Vec3(11.5, 5, 1)],
            tracks: [
                .init(id: 7, status: .confirmed, position: Vec3(20, 5, 1)), .init(id: 8, status: .confirmed, position: Vec3(-0.5, 3, 1)),
            ])
        let out = region.restrict([frame], threshold: 1)[0]
        #expect(out.heard == [0, 2])
        #expect(out.localizations == [Vec3(5, 5, 1), Vec3(10.8, 5, 1)])
        #expect(out.tracks.map(\.id) == [8])
        #expect(out.truth == frame.truth)
    }
}
