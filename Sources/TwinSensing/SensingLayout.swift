import TwinMath
import TwinRadio
import TwinWorld

/// What stays fixed during a run of the sensing chain: the links of the mode, the anchors
/// and their propagation scenarios, the link budgets, the clocks, the background reflectors
/// and the names of the random streams. Built once from the world file; never checkpointed.
///
/// Anchors are numbered base stations first, then one per receiving UE and carrier it
/// listens on (a UE's legs are evaluated at each transmitter carrier), then one per RIS link
/// (its panel). Targets are the movers, then the background reflectors.
struct SensingLayout: Sendable {
    let spec: SensingSpec
    let links: [SensingLink]
    let baseStations: [BaseStationSpec]
    /// Static background reflectors (positions).
    let reflectors: [Vec3]
    let moverCount: Int
    /// The `sensing` stream of the run's seed: every substream of the chain derives from it.
    let root: SeededRandom
    /// `ueAnchorMover[a − bsCount]`: the mover whose UE anchor `a` is.
    let ueAnchorMover: [Int]
    /// Positions of the RIS anchors (after the UE anchors), one per RIS link.
    let risAnchorPosition: [Vec3]
    let anchorModels: [any PropagationModel]
    let anchorCarrier: [Double]
    let anchorUsed: [Bool]
    let anchorNames: [String]
    let targetNames: [String]
    let constants: [LinkConstants]
    /// For each receiving BS, the cell-free links that end at it (attribution candidates).
    let cellFreeAlternatives: [[Int]]
    /// BS clock offsets (operator + BS + STO draw), s.
    let bsClock: [Double]
    let obstacles: ObstacleIndex?
    let useStochastic: Bool

    var anchorCount: Int { anchorModels.count }
    var targetCount: Int { moverCount + reflectors.count }

    init(world: WorldSpec, movers: [MoverInfo], spec: SensingSpec) {
        self.spec = spec
        baseStations = world.baseStations
        let root = SeededRandom(seed: world.simulation.seed).substream("sensing")
        self.root = root
        let ueMovers = movers.filter(\.carriesUE).map(\.id)
        let modeLinks = SensingLinks.make(
            mode: spec.mode, baseStations: world.baseStations, ueMovers: ueMovers, maxBaseline: spec.maxBaseline,
            crossOperator: world.cooperation?.policy.sharesMeasurements ?? false)
        links = modeLinks + RISSensing.links(world: world, sensing: spec, firstId: modeLinks.count)
        moverCount = movers.count
        reflectors = Self.placeReflectors(world: world, count: spec.backgroundReflectors, rng: root.substream("background"))

        // Anchors and their propagation scenarios: in a hall InF; on roads UMa for macro, UMi
        // for micro BSs and for UEs and RIS panels (street level).
        let bsCount = world.baseStations.count
        // Carriers UEs listen on: those of BSs transmitting to UEs, sorted (deterministic).
        var ueCarriers: [Double] = []
        for link in links where link.kind == .trpUE {
            if case .baseStation(let i) = link.transmitter, !ueCarriers.contains(world.baseStations[i].carrierFrequency) {
                ueCarriers.append(world.baseStations[i].carrierFrequency)
            }
        }
        ueCarriers.sort()
        var ueAnchorMover: [Int] = []
        var anchorOfUE = [[Int]](repeating: [], count: movers.count)
        for m in ueMovers where !ueCarriers.isEmpty {
            for _ in ueCarriers {
                anchorOfUE[m].append(bsCount + ueAnchorMover.count)
                ueAnchorMover.append(m)
            }
        }
        self.ueAnchorMover = ueAnchorMover
        let street = PropagationScenario.street(world)
        var models: [any PropagationModel] = world.baseStations.indices.map { PropagationScenario.model(world: world, baseStation: $0) }
        var carriers: [Double] = world.baseStations.map(\.carrierFrequency)
        for k in ueAnchorMover.indices {
            models.append(street.model)
            carriers.append(ueCarriers[k % ueCarriers.count])
        }
        // RIS anchors last (one per RIS link): street level (a panel is a street-level anchor
        // whatever its BS's tier; RISSensing), on their BS's carrier.
        let risPanels = links.compactMap(\.panel)
        for link in links where link.panel != nil {
            models.append(street.model)
            carriers.append(carriers[link.transmitterIndex])
        }
        risAnchorPosition = risPanels.map(\.position)
        anchorModels = models
        anchorCarrier = carriers
        /// A link's transmitting and receiving anchors (both the panel for a RIS link).
        func ends(_ link: SensingLink) -> (tx: Int, rx: Int) {
            if let panel = link.panel, let k = risPanels.firstIndex(of: panel) {
                return (bsCount + ueAnchorMover.count + k, bsCount + ueAnchorMover.count + k)
            }
            let carrier = world.baseStations[link.transmitterIndex].carrierFrequency
            func anchor(_ node: SensingNode) -> Int {
                switch node {
                case .baseStation(let i): return i
                case .ue(let m): return anchorOfUE[m][ueCarriers.firstIndex(of: carrier)!]
                }
            }
            return (anchor(link.transmitter), anchor(link.receiver))
        }
        var used = [Bool](repeating: false, count: models.count)
        for link in links {
            used[ends(link).tx] = true
            used[ends(link).rx] = true
        }
        anchorUsed = used
        anchorNames =
            world.baseStations.map(\.name)
            + ueAnchorMover.indices.map { "ue:\(movers[ueAnchorMover[$0]].name)@\(carriers[bsCount + $0])" }
            + risPanels.map { "ris:\($0.name)" }
        targetNames = movers.map(\.name) + reflectors.indices.map { "reflector-\($0)" }

        // Clocks: operator offset + BS offset + a per-BS STO drawn uniformly in ±stoMax.
        let operatorClock = Dictionary(world.operators.map { ($0.name, $0.clockOffset) }, uniquingKeysWith: { a, _ in a })
        bsClock = world.baseStations.map { bs in
            var sto = root.substream("sto/\(bs.name)")
            return (operatorClock[bs.operatorName] ?? 0) + bs.clockOffset + (spec.stoMax > 0 ? sto.uniform(-spec.stoMax, spec.stoMax) : 0)
        }
        constants = links.map { link in
            let i = link.transmitterIndex
            return LinkConstants(
                link: link, world: world, sensing: spec, txAnchor: ends(link).tx, rxAnchor: ends(link).rx,
                panel: link.panel.map { (world.ris[$0.index], world.baseStations[i], models[i]) })
        }
        // Only cell-free links (one operator's); a cross-operator pair is a trp-trp link (SensingLinks).
        var pairLink = [[Int]](repeating: [Int](repeating: -1, count: bsCount), count: bsCount)
        for link in links where link.panel == nil {  // a RIS link is no BS pair
            if case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver { pairLink[i][j] = link.id }
        }
        let kinds = links.map(\.kind)
        cellFreeAlternatives = (0..<bsCount).map { j in
            (0..<bsCount).compactMap { i in pairLink[i][j] >= 0 && kinds[pairLink[i][j]] == .cellFree ? pairLink[i][j] : nil }
        }

        let hasObstacles = !world.map.obstacles.isEmpty
        let useGeometry: Bool
        switch spec.lineOfSight {
        case .auto: (useGeometry, useStochastic) = (hasObstacles, !hasObstacles)
        case .geometry: (useGeometry, useStochastic) = (true, false)
        case .stochastic: (useGeometry, useStochastic) = (false, true)
        case .both: (useGeometry, useStochastic) = (true, true)
        }
        obstacles = useGeometry && hasObstacles ? ObstacleIndex(obstacles: world.map.obstacles, bounds: world.map.size) : nil
    }

    /// Background reflectors: fixed points 1 m above free floor, drawn once from the seed.
    static func placeReflectors(world: WorldSpec, count: Int, rng: SeededRandom) -> [Vec3] {
        var placement = rng
        var reflectors: [Vec3] = []
        let size = world.map.size
        var tries = 0
        while reflectors.count < count && tries < 100 * max(1, count) {
            tries += 1
            let p = Vec3(placement.uniform(0, size.x), placement.uniform(0, size.y), 1)
            if !world.map.obstacles.contains(where: { $0.contains(p, clearance: 0.5) }) { reflectors.append(p) }
        }
        return reflectors
    }

    /// The mover whose UE anchor `a` is; nil for a BS or RIS anchor.
    @inline(__always)
    func ueMover(ofAnchor a: Int) -> Int? {
        a >= baseStations.count && a < baseStations.count + ueAnchorMover.count ? ueAnchorMover[a - baseStations.count] : nil
    }

    /// Index of anchor `a` among the RIS anchors, or nil for a BS or UE anchor.
    @inline(__always)
    func risAnchor(_ a: Int) -> Int? {
        let first = baseStations.count + ueAnchorMover.count
        return a >= first ? a - first : nil
    }

    /// A base station or a RIS panel: an anchor that never moves.
    @inline(__always)
    func isFixed(anchor a: Int) -> Bool { a < baseStations.count || risAnchor(a) != nil }

    /// Clock offset of a node, s: a BS's from the layout, a UE's from this frame's report.
    func clock(_ node: SensingNode, _ snapshot: WorldSnapshot) -> Double {
        switch node {
        case .baseStation(let j): return bsClock[j]
        case .ue(let m): return snapshot.ues[m]?.clockOffset ?? 0
        }
    }
}

extension SensingLink {
    /// The transmitting base station's index (every link's transmitter is a base station).
    var transmitterIndex: Int {
        guard case .baseStation(let i) = transmitter else { preconditionFailure("transmitters are base stations") }
        return i
    }
}

/// One frame's positions as the sensing chain sees them: anchors and targets, by index.
public struct SensingFrame: Sendable {
    let snapshot: WorldSnapshot
    let layout: SensingLayout

    @inline(__always)
    func anchorPosition(_ a: Int) -> Vec3 {
        if let r = layout.risAnchor(a) { return layout.risAnchorPosition[r] }
        if let m = layout.ueMover(ofAnchor: a) { return snapshot.movers[m].position }
        return layout.baseStations[a].position
    }

    @inline(__always)
    func anchorVelocity(_ a: Int) -> Vec3 {
        layout.ueMover(ofAnchor: a).map { snapshot.movers[$0].velocity } ?? .zero
    }

    @inline(__always)
    func targetPosition(_ t: Int) -> Vec3 {
        t < layout.moverCount ? snapshot.movers[t].position : layout.reflectors[t - layout.moverCount]
    }

    @inline(__always)
    func targetVelocity(_ t: Int) -> Vec3 { t < layout.moverCount ? snapshot.movers[t].velocity : .zero }
}
