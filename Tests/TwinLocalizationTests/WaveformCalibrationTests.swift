import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinWorld

/// Phase I on waveform-fidelity ranges: the fusion centre's OffsetCalibration (shortest range
/// within 130 ns of the baseline, minus the baseline) recovers each pair's planted offset from
/// the CFAR-detected, refined direct paths — the same rule `WaveformSTO` applies to peaks.
@Suite struct WaveformCalibrationTests {
    @Test func calibrationRecoversPlantedOffsetsFromWaveformDirectPaths() throws {
        var spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        spec.sensing.mode = .trpTrp
        spec.sensing.stoMax = 60e-9
        spec.sensing.fidelity = SensingFidelityPlan(trpTrp: "waveform")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let resolution = 299_792_458.0 / (834 * 4 * 120e3)
        let (frame, truth) = sensing.observe(world.step(dt: 0.1))
        let result = OffsetCalibration.calibrate(frame, links: sensing.links) { node in
            if case .baseStation(let i) = node { return spec.baseStations[i].position }
            return nil
        }
        var planted: [Int: Double] = [:]
        for (m, t) in zip(frame.measurements, truth.labels) where t.pathType == .direct {
            let link = sensing.links[m.linkId]
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver else { continue }
            planted[m.linkId] = t.trueRange - spec.baseStations[i].position.distance(to: spec.baseStations[j].position)
        }
        var checked = 0
        for calibration in result.links {
            guard let truthOffset = planted[calibration.linkId], let estimate = calibration.offsetMeters else { continue }
            // A twentieth of a resolution cell (3.7 cm) on offsets of up to ±36 m.
            #expect(abs(estimate - truthOffset) < 0.05 * resolution, "link \(calibration.linkId)")
            checked += 1
        }
        // Most of the 306 links have a line-of-sight direct path, detected and calibrated.
        #expect(checked > 250)
        #expect(planted.values.contains { abs($0) > 5 })
    }
}
