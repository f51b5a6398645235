import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinWorld

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct OffsetCalibrationTests {
    /// factory.yaml with planted timing offsets: every TRP clock off by up to ±60 ns.
    func plantedFactory() throws -> WorldSpec {
        var spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        spec.sensing.mode = .trpTrp
        spec.sensing.stoMax = 60e-9  // per BS: pairs within ±120 ns, inside the 130 ns window
        spec.sensing.clutterRate = 1
        return spec
    }

    @Test func recoversPlantedOffsetsFromTypeIPaths() throws {
        let spec = try plantedFactory()
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let c = 299_792_458.0
        var checked = 0, nonZero = 0
        for _ in 0..<5 {
            let (frame, truth) = sensing.observe(world.step(dt: 0.1))
            let result = OffsetCalibration.calibrate(frame, links: sensing.links) { node in
                if case .baseStation(let i) = node { return spec.baseStations[i].position }
                return nil
            }
            // The planted offset of each link, from the truth of its direct path.
            var planted: [Int: Double] = [:]
            for (m, t) in zip(frame.measurements, truth.labels) where t.pathType == .direct {
                let link = sensing.links[m.linkId]
                guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver else { continue }
                planted[m.linkId] = t.trueRange - spec.baseStations[i].position.distance(to: spec.baseStations[j].position)
            }
            for calibration in result.links {
                guard let truthOffset = planted[calibration.linkId] else { continue }
                let estimate = try #require(calibration.offsetMeters)
                #expect(abs(estimate - truthOffset) < 6 * calibration.offsetVariance!.squareRoot())
                if abs(truthOffset) > 1 { nonZero += 1 }
                checked += 1
            }
            #expect(result.measurements.count == frame.measurements.count - planted.count)
            // Offsets up to ±120 ns are metres to tens of metres: the test plants real ones.
            #expect(planted.values.contains { abs($0) > 0.3 * c * 60e-9 })
        }
        #expect(checked > 500 && nonZero > 400)
    }

    @Test func correctedTargetRangesMatchTheGeometry() throws {
        let spec = try plantedFactory()
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let snapshot = world.step(dt: 0.1)
        let (frame, truth) = sensing.observe(snapshot)
        let result = OffsetCalibration.calibrate(frame, links: sensing.links) { node in
            if case .baseStation(let i) = node { return spec.baseStations[i].position }
            return nil
        }
        // Match corrected measurements back to their truth by the removal order: the calibrated
        // list is the frame's list without direct paths, in the same order.
        let kept = zip(frame.measurements, truth.labels).filter { m, t in
            !(t.pathType == .direct && result.links.contains { $0.linkId == m.linkId && $0.offsetMeters != nil })
        }
        #expect(kept.count == result.measurements.count)
        var checked = 0
        for ((_, t), corrected) in zip(kept, result.measurements) where t.pathType == .target {
            let link = sensing.links[corrected.linkId]
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, let mover = t.moverId else {
                continue
            }
            let p = snapshot.movers[mover].position
            let geometric = spec.baseStations[i].position.distance(to: p) + p.distance(to: spec.baseStations[j].position)
            #expect(abs(corrected.range - geometric) < 6 * corrected.rangeVariance.squareRoot())
            checked += 1
        }
        #expect(checked > 100)
    }
}
