import Foundation
import Testing
import TwinMath
import TwinWorld

@testable import TwinLocalization
@testable import TwinSensing

/// A RIS link's echo, made by hand from known geometry, becomes a monostatic echo at the panel
/// whose range is exactly |RIS − target| and which localises the target exactly.
@Suite struct RISLocalizationTests {
    let bs = Vec3(10, 10, 7)
    let panel = Vec3(43.5, 38.5, 10)
    let target = Vec3(51.25, 31.75, 1.5)

    func frame() -> (FrameObservations, [SensingLink]) {
        var ris = SensingLink(id: 1, kind: .ris, transmitter: .baseStation(0), receiver: .baseStation(0))
        ris.panel = RISPanelRef(index: 0, name: "p", position: panel, elements: SIMD2(32, 32))
        let links = [SensingLink(id: 0, kind: .monostatic, transmitter: .baseStation(0), receiver: .baseStation(0)), ris]
        // Half the path BS → RIS → target → RIS → BS, and the direction at the panel.
        let range = bs.distance(to: panel) + panel.distance(to: target)
        let u = target - panel
        let m = Measurement(
            linkId: 1, range: range, rangeVariance: 1e-6, aoaAzimuth: u.azimuth, aoaAzimuthVariance: 1e-8,
            aoaElevation: u.elevation, aoaElevationVariance: 1e-8, rangeRate: 0, rangeRateVariance: 1, snrDb: 40)
        return (FrameObservations(frameIndex: 0, time: 0, measurements: [m], ueAnchors: []), links)
    }

    @Test func rangeSubtractionIsExact() throws {
        let (observations, links) = frame()
        let problem = LocalizationProblem(frame: observations, links: links, baseStations: [(name: "trp", position: bs)])
        #expect(problem.anchors.count == 2)
        #expect(problem.anchors[1] == .init(name: "ris:p", position: panel, kind: .ris))
        let link = try #require(problem.links.first)
        #expect(link.id == 1 && link.isMonostatic && link.transmitter == 1)
        #expect(abs(link.echoes[0].range - panel.distance(to: target)) < 1e-12)
        #expect(link.echoes[0].departure == nil)
        // RIS + range · u(θ) is the target.
        let fix = panel + link.echoes[0].range * link.echoes[0].arrival!.unitVector!
        #expect(fix.distance(to: target) < 1e-9)
    }

    @Test(arguments: ["gauss-newton", "time-angle"])
    func everyLocalizerFixesTheTargetFromOneRISEcho(kind: String) throws {
        let (observations, links) = frame()
        let problem = LocalizationProblem(frame: observations, links: links, baseStations: [(name: "trp", position: bs)])
        var spec = LocalizerSpec.default
        spec.minimumLinks = 1
        let result = try Localizers.make(kind, LocalizerSettings(spec))!.localize(problem)
        #expect(result.localizations.count == 1)
        #expect((result.localizations.first?.position.distance(to: target) ?? .infinity) < 1e-9)
    }
}
