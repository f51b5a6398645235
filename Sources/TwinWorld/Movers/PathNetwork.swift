import TwinMath

/// Directed paths that movers follow, with the paths they may continue on.
///
/// Road maps give lanes plus short *connectors* through each junction (lane end → next lane
/// start); factory halls give aisles (a closed aisle continues on itself, an open one is a
/// forward and a reverse path that continue on each other). Vehicles and AGVs share this
/// network and the `Traffic` model that drives it.
public struct PathNetwork: Sendable, Equatable, Codable {
    public struct Path: Sendable, Equatable, Codable {
        public var name: String
        public var line: Polyline
        public var speedLimit: Double
        /// Paths a mover may take at the end of this one (U-turns only where nothing else is).
        public var successors: [Int]
        /// Whether this is a junction connector (not a place to start a mover).
        public var isConnector: Bool
    }

    public var paths: [Path]

    /// Index of the path named `name`.
    public func index(of name: String) -> Int? { paths.firstIndex { $0.name == name } }

    /// Lanes and junction connectors of a road map.
    public init(road: RoadMapSpec) {
        var paths = road.lanes.map { Path(name: $0.name, line: $0.path, speedLimit: $0.speedLimit, successors: [], isConnector: false) }
        let turnSpeed = Dictionary(road.junctions.map { ($0.name, $0.turnSpeed) }, uniquingKeysWith: { a, _ in a })
        for (i, lane) in road.lanes.enumerated() {
            guard let junction = lane.to else { continue }
            let outgoing = road.lanes.indices.filter { road.lanes[$0].from == junction }
            // A U-turn leads back to where the lane came from; avoid it where there is a choice.
            let forward = outgoing.filter { k in !(road.lanes[k].to == lane.from && road.lanes[k].from == lane.to) }
            for k in (forward.isEmpty ? outgoing : forward) {
                let end = lane.path.points.last!, start = road.lanes[k].path.points.first!
                if end.distance(to: start) < 0.01 {
                    paths[i].successors.append(k)
                    continue
                }
                let straight = lane.path.pose(at: lane.path.length).tangent.dot(road.lanes[k].path.pose(at: 0).tangent) > 0.94
                let limit = straight ? min(lane.speedLimit, road.lanes[k].speedLimit) : (turnSpeed[junction] ?? 5)
                paths.append(
                    Path(
                        name: "\(lane.name)→\(road.lanes[k].name)", line: Polyline([end, start]),
                        speedLimit: limit, successors: [k], isConnector: true))
                paths[i].successors.append(paths.count - 1)
            }
        }
        self.paths = paths
    }

    /// Aisles of a factory hall.
    public init(aisles: [AisleSpec], speedLimit: Double = 2.0) {
        var paths: [Path] = []
        for aisle in aisles {
            let i = paths.count
            if aisle.closed {
                paths.append(Path(name: aisle.name, line: aisle.path, speedLimit: speedLimit, successors: [i], isConnector: false))
            } else {
                paths.append(Path(name: aisle.name, line: aisle.path, speedLimit: speedLimit, successors: [i + 1], isConnector: false))
                paths.append(
                    Path(
                        name: "\(aisle.name) (back)", line: Polyline(aisle.path.points.reversed()),
                        speedLimit: speedLimit, successors: [i], isConnector: false))
            }
        }
        self.paths = paths
    }
}
