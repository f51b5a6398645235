import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

@testable import TwinEngine

/// Operator edge problems (isolated / track-sharing) are posed in the operator's own frame:
/// its sites, its UE reports and every azimuth, including those UEs measure (world frame as
/// the sensing chain reports them).
@Suite struct EdgeProblemTests {
    /// road-two-operators.yaml in trp-ue mode (the cars carry UEs) under `isolated`: op-b's frame is turned by 1.5°.
    /// Every UE arrival azimuth in op-b's edge problem is the world azimuth minus 1.5°; op-a's
    /// (frame not turned) are the world azimuths.
    @Test func ueArrivalAzimuthsAreInTheOperatorsFrame() throws {
        let file = packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "mode: trp-trp", with: "mode: trp-ue")
            .replacingOccurrences(of: "policy: measurement-sharing", with: "policy: isolated")
            .replacingOccurrences(of: "class: vehicle, count: 16", with: "class: vehicle, ue: true, count: 16")
        let spec = try WorldSpec.decode(yaml: text, file: "edge.yaml")
        #expect(spec.cooperation?.policy == .isolated && spec.sensing.mode == .trpUE && spec.movers[0].carriesUE)
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let centre = try FusionCentre(
            spec: spec, links: sensing.links, trackerSettings: spec.tracker, twin: nil, checkpoint: nil)
        let opB = try #require(spec.operators.firstIndex { $0.name == "op-b" })
        let rotation: [Double] = spec.operators.map { $0.name == "op-b" ? 1.5 * .pi / 180 : 0 }
        var checked = [0, 0]
        for _ in 0..<10 {
            let (obs, _) = sensing.observe(world.step(dt: 0.1))
            for k in [0, opB] {
                let problem = centre.edgeProblem(obs, operator: k)
                for link in problem.links {
                    guard case .ue = sensing.links[link.id].receiver else { continue }
                    // World-frame azimuths of this link's measurements, turned into k's frame by hand.
                    let expected = obs.measurements.filter { $0.linkId == link.id }.compactMap(\.aoaAzimuth).map {
                        var a = $0 - rotation[k]
                        if a <= -.pi { a += 2 * .pi }
                        return a
                    }
                    for echo in link.echoes {
                        let az = try #require(echo.arrival?.azimuth)
                        #expect(expected.contains { abs($0 - az) < 1e-9 }, "operator \(k) link \(link.id): \(az) not in \(expected)")
                        checked[k == opB ? 1 : 0] += 1
                    }
                }
            }
        }
        #expect(checked[0] > 0 && checked[1] > 0, "\(checked)")
    }
}
