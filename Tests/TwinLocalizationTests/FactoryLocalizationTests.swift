import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinSensing
import TwinWorld

struct FactoryLocalizationTests {
    struct Score { var truths = 0, reported = 0, correct = 0, sq = 0.0 }

    func score(mode: SensingMode, localizer: LocalizerKind, frames: Int = 20) throws -> Score {
        var spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        spec.sensing.mode = mode
        var world = try World(spec: spec)
        var sensing = SensingEngine(world: spec, movers: world.movers)
        let stations = spec.baseStations.map { (name: $0.name, position: $0.position) }
        let l = localizer.make()
        var s = Score()
        for _ in 0..<frames {
            let snapshot = world.step(dt: 0.1)
            let (frame, _) = sensing.observe(snapshot)
            let problem = LocalizationProblem(frame: frame, links: sensing.links, baseStations: stations)
            let result = try l.localize(problem)
            let truths = snapshot.movers.map(\.position)
            s.truths += truths.count
            s.reported += result.localizations.count
            var costs = Matrix(rows: truths.count, columns: max(result.localizations.count, 1), repeating: .infinity)
            for (i, t) in truths.enumerated() {
                for (j, e) in result.localizations.enumerated() {
                    let d = t.distance(to: e.position)
                    if d <= 1 { costs[i, j] = d }
                }
            }
            let a = Assignment.solve(costs: costs)
            for (i, j) in a.rowToColumn.enumerated() {
                guard let j else { continue }
                s.correct += 1
                s.sq += truths[i].distance(to: result.localizations[j].position) * truths[i].distance(to: result.localizations[j].position)
            }
        }
        return s
    }

    @Test func explore() throws {
        for mode in [SensingMode.monostatic, .trpTrp, .trpUE, .hybrid, .cellFree] {
            for kind in LocalizerKind.allCases {
                let t0 = Date()
                let s = try score(mode: mode, localizer: kind)
                print("EXPLORE \(mode) \(kind.rawValue): truths \(s.truths) reported \(s.reported) correct \(s.correct) rmse \(s.correct > 0 ? (s.sq / Double(s.correct)).squareRoot() : .nan) t \(Date().timeIntervalSince(t0))")
            }
        }
    }
}
