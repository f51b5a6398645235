import Foundation
import Testing
import TwinMath
import TwinWorld

@testable import TwinSensing

/// Cross-operator pairs under measurement sharing are trp-trp links in every mode: operators do
/// not transmit one waveform, so cell-free pairs (and mis-attribution) stay within an operator.
@Suite struct CrossOperatorLinkTests {
    func world(_ mode: String) throws -> WorldSpec {
        let file = packageRoot.appendingPathComponent("worlds/road-two-operators.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "mode: trp-trp", with: "mode: \(mode)\n  identificationAccuracy: 0")
        return try WorldSpec.decode(yaml: text, file: "cf.yaml")
    }

    @Test func cellFreePairsStayWithinOneOperator() throws {
        let spec = try world("cell-free")
        #expect(spec.cooperation?.policy == .measurementSharing)
        let links = SensingLinks.make(
            mode: .cellFree, baseStations: spec.baseStations, ueMovers: [], maxBaseline: spec.sensing.maxBaseline, crossOperator: true)
        var cross = 0, cellFree = 0
        for link in links {
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver else { continue }
            let same = spec.baseStations[i].operatorName == spec.baseStations[j].operatorName
            if same {
                #expect(link.kind == .cellFree)
                cellFree += 1
            } else {
                #expect(link.kind == .trpTrp && i != j)
                cross += 1
            }
        }
        #expect(cross > 0 && cellFree > 0)
        // The same cross-operator pairs as trp-trp mode has.
        let trpTrp = SensingLinks.make(
            mode: .trpTrp, baseStations: spec.baseStations, ueMovers: [], maxBaseline: spec.sensing.maxBaseline, crossOperator: true)
        func crossPairs(_ l: [SensingLink]) -> [String] {
            l.filter { $0.kind == .trpTrp }.compactMap { link -> String? in
                guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver,
                    spec.baseStations[i].operatorName != spec.baseStations[j].operatorName
                else { return nil }
                return "\(i)->\(j)"
            }
        }
        #expect(crossPairs(links) == crossPairs(trpTrp))
    }

    /// Every echo identified wrongly (identification accuracy 0) lands on a cell-free link of
    /// its own transmitter's operator; cross-operator links carry only their own transmitter's.
    @Test func misattributionNeverCrossesOperators() throws {
        let spec = try world("cell-free")
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        func op(_ node: SensingNode) -> String {
            guard case .baseStation(let i) = node else { return "" }
            return spec.baseStations[i].operatorName
        }
        var misattributed = 0
        for _ in 0..<10 {
            let (obs, truth) = sensing.observe(world.step(dt: 0.1))
            for (m, t) in zip(obs.measurements, truth.labels) {
                let link = sensing.links[m.linkId]
                if t.transmitter != link.transmitter {
                    #expect(link.kind == .cellFree && op(t.transmitter) == op(link.transmitter))
                    misattributed += 1
                }
            }
        }
        #expect(misattributed > 0)
    }
}
