import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinWorld

@Suite struct OperatorCalibrationTests {
    let c = 299_792_458.0

    /// road-two-operators.yaml with op-b's clock `offset` behind op-a's and no per-BS STO.
    func world(offset: Double, policy: CooperationPolicy? = .measurementSharing) throws -> WorldSpec {
        var spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path)
        spec.operators[1].clockOffset = offset
        spec.sensing.stoMax = 0
        spec.cooperation = policy.map { CooperationSpec(policy: $0) }
        return spec
    }

    @Test func modeIsTheMedianOfTheDensestWindow() {
        #expect(InterOperatorClock.mode([0, 10, 10.1, 10.2, 30], window: 1) == 10.1)
        // Two runs of two: the lower wins; the median of two is their mean.
        #expect(InterOperatorClock.mode([5, 5.5, 20, 20.5], window: 1) == 5.25)
        #expect(InterOperatorClock.mode([], window: 1) == nil)
    }

    /// A planted inter-operator clock offset comes back from the cross-operator Type I paths of
    /// one frame to within four standard deviations of a direct path's range noise (the mode's
    /// median is one of them, or the mean of two); blocked direct paths (the street grid hides
    /// many pairs) do not pull it.
    @Test(arguments: [120e-9, -80e-9, 300e-9])
    func recoversAPlantedClockOffset(offset: Double) throws {
        let spec = try world(offset: offset)
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let frames = OperatorFrames(world: spec)
        for _ in 0..<3 {
            let (frame, truth) = sensing.observe(world.step(dt: 0.1))
            let direct = zip(frame.measurements, truth.labels).filter { $0.1.pathType == .direct }.map(\.0)
            let sigma = try #require(direct.map(\.rangeVariance).max()).squareRoot()
            let estimate = InterOperatorClock.estimate(
                frame, links: sensing.links, sites: spec.baseStations.map(\.position), operatorOfStation: frames.operatorOfStation,
                operatorCount: 2, reference: 0, window: 3)
            #expect(estimate[0] == 0)
            let found = try #require(estimate[1])
            #expect(abs(found - c * offset) <= 4 * sigma, "found \(found) m for \(c * offset) m, σ \(sigma) m")
            #expect(sigma < 0.05)
        }
    }

    /// The shipped world's op-b frame (1.5°) comes back from the angles of one frame's
    /// cross-operator Type I paths, to a small multiple of the angle noise, and agrees with the
    /// registration from the sites.
    @Test func frameRotationFromCrossOperatorDirectPaths() throws {
        var spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path)
        spec.sensing.stoMax = 0
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let frames = OperatorFrames(world: spec)
        let sites = spec.baseStations.map(\.position)
        let (frame, truth) = sensing.observe(world.step(dt: 0.1))
        let sigma = try #require(
            zip(frame.measurements, truth.labels).filter { $0.1.pathType == .direct }.compactMap { $0.0.aoaAzimuthVariance }.max()
        ).squareRoot()
        let clock = InterOperatorClock.estimate(
            frame, links: sensing.links, sites: sites, operatorOfStation: frames.operatorOfStation, operatorCount: 2, reference: 0,
            window: 3)
        let theta = InterOperatorFrame.rotation(
            frame, links: sensing.links, sites: sites, operatorOfStation: frames.operatorOfStation, operatorCount: 2, reference: 0,
            clockOffsets: clock, window: 3)
        let planted = 1.5 * Double.pi / 180
        let found = try #require(theta[1])
        #expect(abs(found - planted) <= 4 * sigma, "found \(found) rad for \(planted) rad, σ \(sigma) rad")
        #expect(sigma < 1e-3)
        let reported = sites.indices.filter { frames.operatorOfStation[$0] == 1 }
        let registered = try #require(
            FrameTransform.procrustes(
                from: reported.map { frames.reportedSite($0, world: sites[$0]) }, to: reported.map { sites[$0] }))
        #expect(abs(registered.rotation - found) <= 4 * sigma)
    }

    /// Cross-operator BS pairs are links only when the policy shares measurements.
    @Test func crossOperatorLinksOnlyWhenMeasurementsAreShared() throws {
        func crossLinks(_ policy: CooperationPolicy?) throws -> (all: Int, cross: Int) {
            let spec = try world(offset: 0, policy: policy)
            let links = SensingEngine(world: spec, movers: try World(spec: spec).movers).links
            let op = OperatorFrames(world: spec).operatorOfStation
            let cross = links.count { link in
                guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver else { return false }
                return op[i] != op[j]
            }
            return (links.count, cross)
        }
        // op-a: a macro and 6 micros, op-b: a macro and 5 micros; micros pair with micros
        // (28 GHz), macros with macros (3.5 GHz), in both directions. Within the operators
        // 6·5 + 5·4 = 50 micro pairs and no macro pair; across them 2·6·5 + 2 = 62.
        #expect(try crossLinks(nil) == (50, 0))
        #expect(try crossLinks(.isolated) == (50, 0))
        #expect(try crossLinks(.trackSharing) == (50, 0))
        #expect(try crossLinks(.measurementSharing) == (112, 62))
    }

    /// With a cooperation section every BS reports azimuths in its operator's frame: op-b's
    /// arrivals and departures lose its 1.5° rotation, op-a's are untouched, nothing else moves.
    @Test func baseStationsReportAnglesInTheirOperatorsFrame() throws {
        var plain = try world(offset: 0, policy: nil)
        plain.operators[1].frameRotation = 0.3
        var framed = plain
        framed.cooperation = CooperationSpec(policy: .isolated)
        var w1 = try World(spec: plain), w2 = try World(spec: framed)
        var s1 = SensingEngine(world: plain, movers: w1.movers), s2 = SensingEngine(world: framed, movers: w2.movers)
        let (a, _) = s1.observe(w1.step(dt: 0.1))
        let (b, _) = s2.observe(w2.step(dt: 0.1))
        #expect(a.measurements.count == b.measurements.count && a.measurements.count > 50)
        let op = OperatorFrames(world: framed).operatorOfStation
        var rotated = 0
        for (m, n) in zip(a.measurements, b.measurements) {
            #expect(m.range == n.range && m.aoaElevation == n.aoaElevation)
            let link = s1.links[m.linkId]
            guard case .baseStation(let rx) = link.receiver, case .baseStation(let tx) = link.transmitter else { continue }
            func turned(_ world: Double?, _ reported: Double?, _ theta: Double) -> Bool {
                guard let world, let reported else { return world == nil && reported == nil }
                return abs(wrapAngle(world - theta - reported)) < 1e-12
            }
            #expect(turned(m.aoaAzimuth, n.aoaAzimuth, op[rx] == 1 ? 0.3 : 0))
            #expect(turned(m.aodAzimuth, n.aodAzimuth, op[tx] == 1 ? 0.3 : 0))
            if op[rx] == 1 { rotated += 1 }
        }
        #expect(rotated > 10)
    }
}
