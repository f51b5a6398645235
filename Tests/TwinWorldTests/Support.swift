import Foundation
import TwinWorld

/// The package root, for the shipped worlds.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedWorld(_ name: String) throws -> WorldSpec {
    try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/\(name).yaml").path)
}

/// Decodes YAML text, expecting failure; returns the problems.
/// A catalogue of component names for these tests (TwinWorld cannot see the registries; the
/// engine's `Components.catalogue` is tested against them in TwinEngineTests).
let testCatalogue = ComponentCatalogue([
    "localizer": ["gauss-newton", "ellipsoid", "time-angle", "joint", "ue-selection"],
    "tracker": ["gnn-cv", "gnn-ca", "gnn-ct", "gnn-imm", "jpda-cv", "jpda-ca", "jpda-ct", "jpda-imm"],
    "channel model": ["radar-equation"], "measurement model": ["abstract", "waveform"],
])

func problems(_ yaml: String) -> [WorldFileProblem] {
    do {
        _ = try WorldSpec.decode(yaml: yaml, file: "test.yaml", components: testCatalogue)
        return []
    } catch let error as WorldFileError {
        return error.problems
    } catch {
        return [WorldFileProblem(key: "?", expected: "a WorldFileError", found: "\(error)")]
    }
}

/// A minimal valid factory world with `extra` appended to the movers list.
func factoryYAML(
    movers: String = "  - {name: w, class: person}", infrastructure: String = "", simulation: String = "  dt: 0.1\n  duration: 2\n  seed: 3"
) -> String {
    """
    simulation:
    \(simulation)
    map:
      factory:
        size: [40, 20]
        ceiling: 8
        obstacles:
          - {name: box, kind: machine, min: [18, 8, 0], max: [22, 12, 3]}
        aisles:
          - {name: loop, points: [[3, 3], [37, 3], [37, 17], [3, 17]], closed: true}
    \(infrastructure)
    movers:
    \(movers)
    """
}

func roadYAML(movers: String) -> String {
    """
    simulation: {dt: 0.1, duration: 2, seed: 3}
    map:
      road:
        size: [400, 100]
        junctions:
          - {name: a, position: [10, 50]}
          - {name: b, position: [390, 50]}
        lanes:
          - {name: east, points: [[10, 48], [390, 48]], from: a, to: b, speedLimit: 15}
          - {name: west, points: [[390, 52], [10, 52]], from: b, to: a, speedLimit: 15}
        buildings:
          - {name: tower, footprint: [[100, 60], [140, 60], [140, 90], [100, 90]], height: 40}
    movers:
    \(movers)
    """
}
