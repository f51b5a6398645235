import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// A RIS panel as a sensing link knows it (enough for the fusion centre to use its echoes).
public struct RISPanelRef: Sendable, Equatable, Hashable, Codable {
    /// Index into the world's `ris` panels.
    public var index: Int
    public var name: String
    /// Panel centre, m.
    public var position: Vec3
    /// Elements along the panel's horizontal and vertical axes.
    public var elements: SIMD2<Int>

    public init(index: Int, name: String, position: Vec3, elements: SIMD2<Int>) {
        (self.index, self.name, self.position, self.elements) = (index, name, position, elements)
    }
}

/// RIS-assisted sensing (DOMAIN.md §7 item 6), abstract fidelity.
///
/// A panel's base station senses through it: BS → RIS → target → RIS → BS. The path length is
/// 2|BS − RIS| + 2|RIS − target|; the link reports half of it (as a monostatic link does), the
/// angle at the RIS of the target direction (world frame; error of variance 6/(m³·SNR) per
/// axis with the panel's element counts) and no angle of departure.
///
/// Power: the panel is a far-field beamformer of N = Nx·Ny elements of area (λ/2)² each,
/// A = N·λ²/4. Receiving from a direction at angle θ to its normal it collects over
/// A·cos θ, and re-radiating it has the gain 4πA·cos θ/λ² = π·N·cos θ; so one pass
/// (from direction θ₁ to θ₂) multiplies the power by G(θ₁)·G(θ₂), G(θ) = π·N·cos θ
/// (the same as a flat plate's bistatic RCS 4πA²cos θ₁cos θ₂/λ² between the two path
/// losses; cf. Tang et al. 2021, far-field beamforming case). With the radar equation of the
/// other links written with path losses (DOMAIN.md §4),
///
///   SNR = P_t + G_t + G_r + 10·log10(4π/λ²) − N + G_int + σ
///         − 2·PL(BS, RIS) − 2·PL(RIS, target) + 2·[G(θ_BS) + G(θ_target)]   (dB)
///
/// with PL(BS, RIS) the LOS mean path loss of the BS's scenario (fixed, no shadowing: the
/// panel is installed in view of its BS), PL(RIS, target) the leg's 38.901 path loss with
/// spatially consistent shadowing (leg state keyed by the anchor "ris:NAME"), θ_BS the angle
/// between the panel normal and the BS, θ_target that to the target, and G_t, G_r the BS
/// array gains (beams towards the panel).
///
/// A target is sensed when it is in the panel's field of view (the open front half-space of
/// its normal), within `maxRange` of the panel and in line of sight of it.
public enum RISSensing {
    /// The RIS links of a world: one per panel, through its serving base station, with ids
    /// from `firstId` (after the mode's links, so their ids do not move). None when
    /// `sensing.ris` is false.
    public static func links(world: WorldSpec, sensing: SensingSpec, firstId: Int) -> [SensingLink] {
        guard sensing.ris else { return [] }
        var out: [SensingLink] = []
        for (k, panel) in world.ris.enumerated() {
            guard let i = world.baseStations.firstIndex(where: { $0.name == panel.baseStation }) else { continue }
            var link = SensingLink(id: firstId + out.count, kind: .ris, transmitter: .baseStation(i), receiver: .baseStation(i))
            link.panel = RISPanelRef(index: k, name: panel.name, position: panel.position, elements: panel.elements)
            out.append(link)
        }
        return out
    }

    /// 10·log10(π·N·cos θ): one side of a pass through a panel of N elements, dB.
    public static func apertureGainDb(elements: Int, cosine: Double) -> Double {
        10 * Double.log10(Double.pi * Double(elements) * cosine)
    }

    /// What a RIS link adds to the BS's own echo constant (P_t + G_t + G_r + 10·log10(4π/λ²)
    /// − N + G_int) and the target's RCS: −2·PL(BS, RIS) − 2·PL(RIS, target) + 2·[G(θ_BS) +
    /// G(θ_target)], dB. The cosines are those of the angles to the panel normal (> 0).
    public static func cascadeDb(
        elements: Int, bsCosine: Double, targetCosine: Double, bsRISLossDb: Double, risTargetLossDb: Double
    ) -> Double {
        -2 * bsRISLossDb - 2 * risTargetLossDb
            + 2 * (apertureGainDb(elements: elements, cosine: bsCosine) + apertureGainDb(elements: elements, cosine: targetCosine))
    }

    /// The post-integration SNR of a target's echo through a panel, dB: the formula above,
    /// with the BS's link budget as the engine forms it. `risTargetLossDb` nil takes the LOS
    /// mean path loss of the scenario (no shadowing).
    public static func echoSNRDb(
        world: WorldSpec, panel: Int, target: Vec3, rcsDbsm: Double, risTargetLossDb: Double? = nil
    ) -> Double? {
        var sensing = world.sensing
        sensing.ris = true
        guard let link = links(world: world, sensing: sensing, firstId: 0).first(where: { $0.panel?.index == panel }),
            case .baseStation(let i) = link.transmitter
        else { return nil }
        let model = PropagationScenario.model(world: world, baseStation: i)
        var c = LinkConstants(link: link, world: world, sensing: sensing, txAnchor: 0, rxAnchor: 0)
        c.attach(panel: world.ris[panel], baseStation: world.baseStations[i], model: model)
        guard let path = c.ris, let gain = path.targetGainDb(target - world.ris[panel].position) else { return nil }
        let loss =
            risTargetLossDb
            ?? model.pathLoss(LinkGeometry(world.ris[panel].position, target), carrierFrequency: c.carrier, los: true).meanDb
        return c.echoConstantDb + rcsDbsm + path.constantDb - 2 * loss + gain
    }

}

/// The fixed part of a RIS link: geometry of the BS–panel leg and the panel's gains.
struct RISPathConstants: Sendable {
    /// 2·|BS − RIS|, m: the part of the path the target does not change.
    let fixedPathLength: Double
    /// Panel normal.
    let normal: Vec3
    /// N = Nx·Ny.
    let elements: Int
    /// −2·PL(BS, RIS) + 2·G(θ_BS), dB.
    let constantDb: Double

    /// 2·G(θ_target) for a target at `offset` from the panel (dB), or nil outside the field of view.
    func targetGainDb(_ offset: Vec3) -> Double? {
        let distance = offset.norm
        guard distance > 0 else { return nil }
        let cosine = offset.dot(normal) / distance
        guard cosine > 1e-9 else { return nil }
        return 2 * RISSensing.apertureGainDb(elements: elements, cosine: cosine)
    }
}

extension LinkConstants {
    /// Turns the constants of a BS's own link into those of its link through `panel`: the
    /// angle of arrival is measured at the panel (its element counts), no angle of departure.
    mutating func attach(panel: RISSpec, baseStation bs: BaseStationSpec, model: any PropagationModel) {
        let toBS = bs.position - panel.position
        let d = toBS.norm
        let cosine = d > 0 ? toBS.dot(panel.normal) / d : 0
        let elements = panel.elements.x * panel.elements.y
        let loss = model.pathLoss(LinkGeometry(bs.position, panel.position), carrierFrequency: carrier, los: true).meanDb
        // The decoder only serves a panel from a BS in front of it; a BS exactly in the panel's
        // plane would give cos θ = 0 (−∞ dB): such a link hears nothing.
        let gain = cosine > 1e-9 ? 2 * RISSensing.apertureGainDb(elements: elements, cosine: cosine) : -1000
        ris = RISPathConstants(fixedPathLength: 2 * d, normal: panel.normal, elements: elements, constantDb: -2 * loss + gain)
        rxElements = panel.elements
        reportsDeparture = false
    }
}

extension PropagationScenario {
    /// The scenario of a street-level or hall anchor (a micro BS, a UE, a RIS panel): InF in a
    /// hall, UMi on roads.
    static func street(_ world: WorldSpec) -> PropagationScenario {
        switch world.map {
        case .factory(let hall): return .indoorFactory(hall.scenario, hall.clutter)
        case .road: return .urbanMicro
        }
    }

    /// The propagation model of base station `i`: InF in a hall; UMa for a macro and UMi for a
    /// micro BS on roads. One rule for the sensing chain, RIS links and handover quality.
    static func model(world: WorldSpec, baseStation i: Int) -> any PropagationModel {
        switch (world.map, world.baseStations[i].tier) {
        case (.road, .macro): return PropagationScenario.urbanMacro.model
        default: return street(world).model
        }
    }
}
