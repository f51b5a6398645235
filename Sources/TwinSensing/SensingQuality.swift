import RealModule
import TwinMath
import TwinRadio
import TwinWorld

extension LinkConstants {
    /// The bistatic radar equation in dB (docs/domain.md §4): post-integration SNR of an echo off
    /// a target of `rcsDbsm` whose transmit and receive legs lose `txPathLossDb` and
    /// `rxPathLossDb`. Shared by the sensing chain and the predicted sensing quality.
    @inline(__always)
    func echoSNRDb(rcsDbsm: Double, txPathLossDb: Double, rxPathLossDb: Double) -> Double {
        echoConstantDb + rcsDbsm - txPathLossDb - rxPathLossDb
    }
}

/// Predicted sensing quality of each base station at a point: the post-integration SNR of
/// its monostatic echo off a reference target (`handover.referenceRCSDbsm`) there, with the
/// BS's link budget (`LinkConstants` of a monostatic link, whatever the sensing mode), the
/// 38.901 *mean* path loss of the BS's scenario (UMa for a macro BS on a road map, UMi for a
/// micro BS, InF in a factory hall — as in `SensingEngine`), no shadowing, line of sight from
/// the obstacle index (a blocked ray or a point beyond `sensing.maxRange` gives −∞: no echo).
/// On maps without obstacles the LOS path loss is used (the stochastic LOS draws of the
/// sensing chain are not predictable per frame).
///
/// With RIS sensing on, a BS's quality also holds the echoes through the panels it serves
/// (`RISSensing.snrDb` with constants built once, reference RCS, mean LOS path loss), power-summed with its own: a
/// panel's target is in its field of view, within `sensing.maxRange` of the panel and in line
/// of sight of it (the obstacle index). The panel's link is lit by its BS's beams, so a
/// target the panel sees keeps that BS in its cluster.
///
/// A cluster's quality is the power sum of its members' SNRs, 10·log10 Σ 10^(SNRᵢ/10): the
/// Fisher information of independent echoes adds, and each is ∝ SNR (docs/domain.md §5).
public struct SensingQualityModel: Sendable {
    public let names: [String]
    public let isMacro: [Bool]
    public let positions: [Vec3]
    let models: [any PropagationModel]
    let constants: [LinkConstants]
    let obstacles: ObstacleIndex?
    let maxRange: Double
    public let referenceRCSDbsm: Double
    /// Panels served by each BS (empty without RIS sensing): position, the RIS link's
    /// constants (built once, not per prediction) and the street-level model of the
    /// panel–target leg.
    let panelsOf: [[(position: Vec3, constants: LinkConstants)]]
    let streetModel: any PropagationModel

    public init(world: WorldSpec) {
        names = world.baseStations.map(\.name)
        isMacro = world.baseStations.map { $0.tier == .macro }
        positions = world.baseStations.map(\.position)
        models = world.baseStations.indices.map { PropagationScenario.model(world: world, baseStation: $0) }
        constants = world.baseStations.indices.map { i in
            LinkConstants(
                link: SensingLink(id: -1, kind: .monostatic, transmitter: .baseStation(i), receiver: .baseStation(i)),
                world: world, sensing: world.sensing, txAnchor: i, rxAnchor: i)
        }
        let obstacles = world.map.obstacles
        self.obstacles = obstacles.isEmpty ? nil : ObstacleIndex(obstacles: obstacles, bounds: world.map.size)
        maxRange = world.sensing.maxRange
        referenceRCSDbsm = world.handover.referenceRCSDbsm
        var panelsOf = [[(position: Vec3, constants: LinkConstants)]](repeating: [], count: world.baseStations.count)
        for link in RISSensing.links(world: world, sensing: world.sensing, firstId: 0) {
            guard let panel = link.panel, case .baseStation(let i) = link.transmitter else { continue }
            let c = LinkConstants(
                link: link, world: world, sensing: world.sensing, txAnchor: 0, rxAnchor: 0,
                panel: (world.ris[panel.index], world.baseStations[i], models[i]))
            panelsOf[i].append((world.ris[panel.index].position, c))
        }
        self.panelsOf = panelsOf
        streetModel = PropagationScenario.street(world).model
    }

    public var count: Int { names.count }

    /// Predicted SNR (dB) of base station `bs` for a reference target at `p`: its monostatic
    /// echo power-summed with the echoes through the RIS panels it serves; −∞ when it has none
    /// (out of range, blocked, not in a panel's view, or not a finite point).
    public func snrDb(bs: Int, at p: Vec3) -> Double {
        let direct = directSNRDb(bs: bs, at: p)
        guard !panelsOf[bs].isEmpty, p.isFinite else { return direct }
        var sum = direct.isFinite ? Double.exp(direct * (Double.log(10) / 10)) : 0
        for (q, c) in panelsOf[bs] {
            let d = q.distance(to: p)
            guard d <= maxRange, d > 0.1, !(obstacles?.isBlocked(q, p) ?? false) else { continue }
            let loss = streetModel.pathLoss(LinkGeometry(q, p), carrierFrequency: c.carrier, los: true).meanDb
            guard let s = RISSensing.snrDb(constants: c, rcsDbsm: referenceRCSDbsm, risTargetLossDb: loss, offset: p - q), s.isFinite
            else { continue }
            sum += Double.exp(s * (Double.log(10) / 10))
        }
        return sum > 0 ? 10 * Double.log10(sum) : -.infinity
    }

    /// Predicted monostatic SNR (dB) of base station `bs` alone (no RIS panel) for a reference
    /// target at `p`; −∞ when out of range, blocked or not a finite point.
    public func directSNRDb(bs: Int, at p: Vec3) -> Double {
        let a = positions[bs]
        let d = a.distance(to: p)
        guard p.isFinite, d <= maxRange, d > 0.1, !(obstacles?.isBlocked(a, p) ?? false) else { return -.infinity }
        let loss = models[bs].pathLoss(LinkGeometry(a, p), carrierFrequency: constants[bs].carrier, los: true).meanDb
        return constants[bs].echoSNRDb(rcsDbsm: referenceRCSDbsm, txPathLossDb: loss, rxPathLossDb: loss)
    }

    /// Quality of a set of base stations at `p`: 10·log10 Σ 10^(SNRᵢ/10), dB (−∞ if none sees it).
    public func qualityDb(_ members: [Int], at p: Vec3) -> Double {
        var sum = 0.0
        for i in members {
            let s = snrDb(bs: i, at: p)
            if s.isFinite { sum += Double.exp(s * (Double.log(10) / 10)) }
        }
        return sum > 0 ? 10 * Double.log10(sum) : -.infinity
    }
}
