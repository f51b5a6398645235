import TwinMath

extension RISSpec {
    /// Unit normal of the panel (its front face points this way), world frame.
    public var normal: Vec3 { Vec3.unit(azimuth: azimuth, elevation: elevation) }

    /// Whether `point` lies in the panel's field of view: the open front half-space of its normal.
    public func faces(_ point: Vec3) -> Bool { (point - position).dot(normal) > 1e-9 }
}

extension WorldDecoder {
    /// The base station that senses through a RIS panel: the one named by `baseStation`, or
    /// else the nearest base station that sees the panel — in front of it, with no obstacle
    /// on the segment between them (ties: the first in the file). Problems: a name that is
    /// not a base station of the world; no base station that sees the panel.
    func servingBaseStation(
        of panel: RISSpec, _ named: YAMLValue?, at item: YAMLValue, map: MapSpec?, baseStations: [BaseStationSpec]
    ) throws -> String {
        if let named {
            let name = try named.string("the name of a base station")
            guard baseStations.contains(where: { $0.name == name }) else {
                let names = baseStations.map { "'\($0.name)'" }.joined(separator: ", ")
                throw named.fail(
                    expected: baseStations.isEmpty
                        ? "the name of a base station (the world has none)" : "one of the base stations \(names)",
                    found: "'\(name)'")
            }
            return name
        }
        let obstacles = map?.obstacles ?? []
        var best: (name: String, distance: Double)?
        for bs in baseStations where panel.faces(bs.position) && !obstacles.contains(where: { $0.intersects(bs.position, panel.position) })
        {
            let d = bs.position.distance(to: panel.position)
            if d < best?.distance ?? .infinity { best = (bs.name, d) }
        }
        guard let best else {
            throw item.fail(
                expected: "a base station in line of sight of RIS '\(panel.name)' and in front of it (or 'baseStation' naming one)",
                found: baseStations.isEmpty ? "no base stations" : "none of the \(baseStations.count) base stations")
        }
        return best.name
    }
}
