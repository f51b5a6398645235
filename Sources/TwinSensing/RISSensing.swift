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

/// RIS-assisted sensing (docs/domain.md §7 item 6), abstract fidelity.
///
/// A panel's base station senses through it: BS → RIS → target → RIS → BS. The path length is
/// 2|BS − RIS| + 2|RIS − target|; the link reports half of it (as a monostatic link does), the
/// angle of arrival at the RIS and no angle of departure.
///
/// Angle: the panel measures the target direction in its own frame (`RISPanelFrame`): an
/// azimuth φ about its vertical axis (the Nx elements along its horizontal axis) and an
/// elevation ψ towards its vertical axis (the Ny elements), each with an error of variance
/// 6/(m³·SNR) (the CRLB convention of the BS arrays, m the element count along that axis).
/// The noisy panel-frame direction is reported as world azimuth and elevation, with world
/// variances by first-order propagation (the Jacobian of world (az, el) with respect to
/// (φ, ψ)). `Measurement` carries one variance per angle, so the az–el correlation this
/// rotation creates is dropped: exact when the panel's axes are the world's (a vertical
/// panel facing the horizon at the target's height), approximate otherwise. Near a
/// downward panel's nadir the world azimuth variance grows as 1/cos²(el): the cross-range
/// error r·cos(el)·δaz stays r·σ_panel, as the panel delivers.
///
/// Power: the panel is a far-field beamformer of N = Nx·Ny elements of area (λ/2)² each,
/// A = N·λ²/4. Receiving from a direction at angle θ to its normal it collects over
/// A·cos θ, and re-radiating it has the gain 4πA·cos θ/λ² = π·N·cos θ; so one pass
/// (from direction θ₁ to θ₂) multiplies the power by G(θ₁)·G(θ₂), G(θ) = π·N·cos θ
/// (the same as a flat plate's bistatic RCS 4πA²cos θ₁cos θ₂/λ² between the two path
/// losses; cf. Tang et al. 2021, far-field beamforming case). With the radar equation of the
/// other links written with path losses (docs/domain.md §4),
///
///   SNR = P_t + G_t + G_r + 10·log10(4π/λ²) − N + G_int + σ
///         − 2·PL(BS, RIS) − 2·PL(RIS, target) + 2·[G(θ_BS) + G(θ_target)]   (dB)
///
/// with PL(BS, RIS) the LOS mean path loss of the BS's scenario (fixed, no shadowing: the
/// panel is installed in view of its BS), PL(RIS, target) the leg's 38.901 path loss in the
/// street-level scenario (`PropagationScenario.street`: UMi on roads, InF in a hall — a
/// panel is a street-level anchor whatever its BS's tier) with spatially consistent
/// shadowing (leg state keyed by the anchor "ris:NAME"), θ_BS the angle
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
        let c = LinkConstants(
            link: link, world: world, sensing: sensing, txAnchor: 0, rxAnchor: 0,
            panel: (world.ris[panel], world.baseStations[i], model))
        let loss =
            risTargetLossDb
            ?? PropagationScenario.street(world).model.pathLoss(
                LinkGeometry(world.ris[panel].position, target), carrierFrequency: c.carrier, los: true
            ).meanDb
        return snrDb(constants: c, rcsDbsm: rcsDbsm, risTargetLossDb: loss, offset: target - world.ris[panel].position)
    }

    /// The one assembly of a RIS echo's SNR (dB), used by the engine and by `echoSNRDb`: the
    /// BS's echo constant + RCS − 2·PL(RIS, target) + the path's fixed part + 2·G(θ_target),
    /// for a target at `offset` from the panel; nil when `c` is not a RIS link or the target
    /// is outside the panel's field of view.
    static func snrDb(constants c: LinkConstants, rcsDbsm: Double, risTargetLossDb: Double, offset: Vec3) -> Double? {
        guard let path = c.ris, let gain = path.targetGainDb(offset) else { return nil }
        return c.echoSNRDb(rcsDbsm: rcsDbsm, txPathLossDb: risTargetLossDb, rxPathLossDb: risTargetLossDb) + path.constantDb + gain
    }

}

/// The fixed part of a RIS link: geometry of the BS–panel leg and the panel's gains. A class
/// (immutable, shared), like `LinkConstants` that holds it: read for every target of the link.
final class RISPathConstants: Sendable {
    /// 2·|BS − RIS|, m: the part of the path the target does not change.
    let fixedPathLength: Double
    /// Panel normal.
    let normal: Vec3
    /// N = Nx·Ny.
    let elements: Int
    /// −2·PL(BS, RIS) + 2·G(θ_BS), dB.
    let constantDb: Double
    /// The panel's axes (angles of arrival are measured in this frame).
    let frame: RISPanelFrame
    /// Elements along the panel's horizontal and vertical axes.
    let axisElements: SIMD2<Int>

    init(fixedPathLength: Double, normal: Vec3, elements: Int, constantDb: Double, frame: RISPanelFrame, axisElements: SIMD2<Int>) {
        (self.fixedPathLength, self.normal, self.elements, self.constantDb, self.frame, self.axisElements) =
            (fixedPathLength, normal, elements, constantDb, frame, axisElements)
    }

    /// The angle of arrival as the panel measures it (see `RISSensing`): panel-frame errors of
    /// variance 6/(m³·SNR) per axis (two draws from `rng`), reported as world azimuth and
    /// elevation with first-order world variances (az–el correlation dropped). Nil (no draw)
    /// when an axis has a single element: the panel then resolves no direction in the world.
    func measureArrival(_ arrival: Vec3, snr: Double, rng: inout SeededRandom) -> RISArrival? {
        guard axisElements.x > 1, axisElements.y > 1 else { return nil }
        let truth = frame.panelAngles(of: arrival)
        let varPhi = CramerRao.angleVariance(elements: axisElements.x, snr: snr)
        let varPsi = CramerRao.angleVariance(elements: axisElements.y, snr: snr)
        let phi = truth.phi + rng.gaussian() * varPhi.squareRoot()
        let psi = min(max(truth.psi + rng.gaussian() * varPsi.squareRoot(), -.pi / 2), .pi / 2)
        let noisy = frame.direction(phi: phi, psi: psi)
        let (varAz, varEl) = frame.worldVariances(phi: truth.phi, psi: truth.psi, varPhi: varPhi, varPsi: varPsi)
        return RISArrival(azimuth: noisy.azimuth, azimuthVariance: varAz, elevation: noisy.elevation, elevationVariance: varEl)
    }

    /// 2·G(θ_target) for a target at `offset` from the panel (dB), or nil outside the field of view.
    func targetGainDb(_ offset: Vec3) -> Double? {
        let distance = offset.norm
        guard distance > 0 else { return nil }
        let cosine = offset.dot(normal) / distance
        guard cosine > 1e-9 else { return nil }
        return 2 * RISSensing.apertureGainDb(elements: elements, cosine: cosine)
    }
}

extension RISPathConstants {
    /// The fixed part of the link of `bs` through `panel` on `carrier`.
    convenience init(panel: RISSpec, baseStation bs: BaseStationSpec, model: any PropagationModel, carrier: Double) {
        let toBS = bs.position - panel.position
        let d = toBS.norm
        let cosine = d > 0 ? toBS.dot(panel.normal) / d : 0
        let elements = panel.elements.x * panel.elements.y
        let loss = model.pathLoss(LinkGeometry(bs.position, panel.position), carrierFrequency: carrier, los: true).meanDb
        // The decoder only serves a panel from a BS in front of it; a BS exactly in the panel's
        // plane would give cos θ = 0 (−∞ dB): such a link hears nothing.
        let gain = cosine > 1e-9 ? 2 * RISSensing.apertureGainDb(elements: elements, cosine: cosine) : -1000
        self.init(
            fixedPathLength: 2 * d, normal: panel.normal, elements: elements, constantDb: -2 * loss + gain,
            frame: RISPanelFrame(panel), axisElements: panel.elements)
    }
}

/// A RIS arrival angle in the world frame, with first-order variances.
struct RISArrival: Sendable, Equatable {
    var azimuth: Double
    var azimuthVariance: Double
    var elevation: Double
    var elevationVariance: Double
}

/// A panel's own frame: its normal n, its horizontal axis h = (−sin az, cos az, 0) (az the
/// normal's azimuth; the Nx elements lie along it) and its vertical axis v = n × h (the Ny
/// elements). A direction u has panel azimuth φ = atan2(u·h, u·n) and panel elevation
/// ψ = asin(u·v) — the world's azimuth and elevation for a panel facing +x at the horizon.
public struct RISPanelFrame: Sendable, Equatable {
    public let normal: Vec3
    public let horizontal: Vec3
    public let vertical: Vec3

    public init(_ panel: RISSpec) {
        normal = panel.normal
        horizontal = Vec3(-Double.sin(panel.azimuth), Double.cos(panel.azimuth), 0)
        vertical = normal.cross(horizontal)
    }

    /// (φ, ψ) of a direction (need not be unit).
    public func panelAngles(of u: Vec3) -> (phi: Double, psi: Double) {
        let n = u.norm
        guard n > 0 else { return (0, 0) }
        let s = min(max(u.dot(vertical) / n, -1), 1)
        return (Double.atan2(y: u.dot(horizontal), x: u.dot(normal)), Double.asin(s))
    }

    /// The unit direction of panel angles (φ, ψ).
    public func direction(phi: Double, psi: Double) -> Vec3 {
        let c = Double.cos(psi)
        return c * Double.cos(phi) * normal + c * Double.sin(phi) * horizontal + Double.sin(psi) * vertical
    }

    /// World azimuth and elevation variances of a direction measured as (φ, ψ) with
    /// independent errors of variances `varPhi`, `varPsi`: J·diag(varPhi, varPsi)·Jᵀ's
    /// diagonal, J = ∂(az, el)/∂(φ, ψ). Finite everywhere (the azimuth's 1/ρ² is floored at
    /// the zenith and nadir, where the world azimuth is undefined).
    public func worldVariances(phi: Double, psi: Double, varPhi: Double, varPsi: Double) -> (azimuth: Double, elevation: Double) {
        let u = direction(phi: phi, psi: psi)
        let dPhi = Double.cos(psi) * (-Double.sin(phi) * normal + Double.cos(phi) * horizontal)
        let dPsi = -Double.sin(psi) * (Double.cos(phi) * normal + Double.sin(phi) * horizontal) + Double.cos(psi) * vertical
        let rho2 = max(u.x * u.x + u.y * u.y, 1e-12)
        let rho = rho2.squareRoot()
        // ∂az/∂u = (−y, x, 0)/ρ²; ∂el/∂u = (−x·z/ρ, −y·z/ρ, ρ) for a unit u.
        let gAz = Vec3(-u.y, u.x, 0) / rho2
        let gEl = Vec3(-u.x * u.z / rho, -u.y * u.z / rho, rho)
        let (a1, a2) = (gAz.dot(dPhi), gAz.dot(dPsi))
        let (e1, e2) = (gEl.dot(dPhi), gEl.dot(dPsi))
        return (a1 * a1 * varPhi + a2 * a2 * varPsi, e1 * e1 * varPhi + e2 * e2 * varPsi)
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
