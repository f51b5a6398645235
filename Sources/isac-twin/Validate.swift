import ArgumentParser
import TwinEngine
import TwinWorld

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a world file and report every problem in it.",
        discussion: "Exits 0 when the world is valid, 2 otherwise (each problem on its own line).")

    @Argument(help: "World file, or the name of a shipped world.")
    var world: String

    func run() throws {
        let path = WorldCatalogue.resolve(world)
        try withUserErrors {
            let spec = try WorldSpec.load(path: path, components: Components.catalogue)
            let world = try World(spec: spec, file: path)
            let classes = MoverClass.allCases.compactMap { c -> String? in
                let n = world.movers.filter { $0.moverClass == c }.count
                return n > 0 ? "\(n) \(c.rawValue)" : nil
            }.joined(separator: ", ")
            let mapKind: String
            switch spec.map {
            case .factory(let f):
                mapKind =
                    "factory hall \(Int(f.size.x)) x \(Int(f.size.y)) m, \(f.scenario.rawValue), \(f.obstacles.count) obstacles, \(f.aisles.count) aisles"
            case .road(let r):
                mapKind =
                    "road map \(Int(r.size.x)) x \(Int(r.size.y)) m, \(r.lanes.count) lanes, \(r.junctions.count) junctions, \(r.buildings.count) buildings"
            }
            print("\(path): valid")
            print("  map        \(mapKind)")
            print("  movers     \(classes)")
            print("  infra      \(spec.baseStations.count) base stations, \(spec.ris.count) RIS, \(spec.operators.count) operator(s)")
            print(
                "  run        dt \(spec.simulation.dt) s, \(spec.simulation.duration) s, seed \(spec.simulation.seed), sensing \(spec.sensing.mode.rawValue)"
            )
        }
    }
}

struct Worlds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the shipped worlds, one line each.",
        discussion: "Worlds are looked for in $ISAC_TWIN_WORLDS, ./worlds and the checkout's worlds folder.")

    func run() throws {
        let entries = WorldCatalogue.shipped()
        guard !entries.isEmpty else {
            throw failBadInput("no shipped worlds found (looked in \(WorldCatalogue.searchDirectories().joined(separator: ", ")))")
        }
        let width = entries.map(\.name.count).max() ?? 0
        for e in entries {
            print(e.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + e.description)
        }
    }
}
