import Foundation
import TwinWorld

/// The checkout's shipped worlds, found relative to this file (Benchmarks/Benchmarks/BenchmarkSupport/).
public let shippedWorlds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("worlds")

/// Loads a shipped world; a benchmark cannot run without it.
public func loadWorld(_ name: String) -> WorldSpec {
    do { return try WorldSpec.load(path: shippedWorlds.appendingPathComponent("\(name).yaml").path) } catch {
        fatalError("\(error)")
    }
}

/// road.yaml with its car fleet scaled to `vehicles` (the other movers kept).
public func roadWorld(vehicles: Int) -> WorldSpec {
    var spec = loadWorld("road")
    if let i = spec.movers.firstIndex(where: { $0.moverClass == .vehicle }) { spec.movers[i].count = vehicles }
    return spec
}
