import RealModule
import TwinMath
import TwinRadio
import TwinWorld

/// What stays fixed on a link: powers, gains, noise, bandwidth, carrier, arrays.
///
/// A class (immutable, shared): every path of every link reads it, and a struct of this size
/// would be copied at each read.
final class LinkConstants: Sendable {
    let txAnchor: Int
    let rxAnchor: Int
    let carrier: Double
    let wavelength: Double
    let bandwidth: Double
    let symbolDuration: Double
    let txElements: SIMD2<Int>
    let rxElements: SIMD2<Int>
    let reportsDeparture: Bool
    /// The BS–panel part of a RIS link (`RISSensing`); nil for other links.
    let ris: RISPathConstants?
    /// P_t + G_t + G_r + 10 log10(4π/λ²) − N + G_int: add the RCS (dBsm) and subtract both
    /// legs' path losses to get the echo's post-integration SNR (docs/domain.md §4).
    let echoConstantDb: Double
    /// P_t + G_t + G_r − N + G_int: subtract the direct path loss for the Type I SNR.
    let directConstantDb: Double
    /// The second band, when transmitter and receiver are base stations with a second band on
    /// the same carrier (monostatic: the BS's own); nil otherwise.
    let band2: SecondBandConstants?

    /// The constants of `link`. With `panel` (a RIS link: the panel, its serving BS and the BS's
    /// propagation model) the angle of arrival is measured at the panel (its element counts)
    /// and no angle of departure is reported.
    init(
        link: SensingLink, world: WorldSpec, sensing: SensingSpec, txAnchor: Int, rxAnchor: Int,
        panel: (panel: RISSpec, baseStation: BaseStationSpec, model: any PropagationModel)? = nil
    ) {
        self.txAnchor = txAnchor
        self.rxAnchor = rxAnchor
        guard case .baseStation(let i) = link.transmitter else { preconditionFailure("transmitters are base stations") }
        let tx = world.baseStations[i]
        carrier = tx.carrierFrequency
        wavelength = PhysicalConstants.speedOfLight / carrier
        bandwidth = tx.bandwidth
        // OFDM symbol with the normal cyclic prefix (≈ 7 % of the useful symbol).
        symbolDuration = 1.07 / tx.subcarrierSpacing
        txElements = tx.arraySize
        let noiseFigure: Double
        let receiverElements: SIMD2<Int>
        switch link.receiver {
        case .baseStation(let j):
            receiverElements = world.baseStations[j].arraySize
            noiseFigure = world.baseStations[j].noiseFigure
        case .ue:
            receiverElements = sensing.ueArray
            noiseFigure = sensing.ueNoiseFigureDb
        }
        let gains =
            LinkBudget.arrayGainDb(elements: txElements.x * txElements.y)
            + LinkBudget.arrayGainDb(elements: receiverElements.x * receiverElements.y)
        let noise = LinkBudget.noisePowerDbm(bandwidth: bandwidth, noiseFigureDb: noiseFigure)
        let subcarriers = max(1, Int((bandwidth / tx.subcarrierSpacing).rounded(.down)))
        let integration = LinkBudget.coherentIntegrationGainDb(subcarriers: subcarriers, symbols: sensing.symbolsPerFrame)
        directConstantDb = tx.txPower + gains - noise + integration
        echoConstantDb = directConstantDb + 10 * Double.log10(4 * .pi / (wavelength * wavelength))
        if let b = tx.secondBand, case .baseStation(let j) = link.receiver,
            world.baseStations[j].secondBand?.carrierFrequency == b.carrierFrequency
        {
            // Same power, arrays and noise figure; the noise bandwidth, integration gain and
            // wavelength are the second band's.
            let noise2 = LinkBudget.noisePowerDbm(bandwidth: b.bandwidth, noiseFigureDb: noiseFigure)
            let subcarriers2 = max(1, Int((b.bandwidth / b.subcarrierSpacing).rounded(.down)))
            let integration2 = LinkBudget.coherentIntegrationGainDb(subcarriers: subcarriers2, symbols: sensing.symbolsPerFrame)
            let direct2 = tx.txPower + gains - noise2 + integration2
            let wavelength2 = PhysicalConstants.speedOfLight / b.carrierFrequency
            band2 = SecondBandConstants(
                carrier: b.carrierFrequency, wavelength: wavelength2, bandwidth: b.bandwidth,
                symbolDuration: 1.07 / b.subcarrierSpacing, directDeltaDb: direct2 - directConstantDb,
                echoDeltaDb: direct2 + 10 * Double.log10(4 * .pi / (wavelength2 * wavelength2)) - echoConstantDb)
        } else {
            band2 = nil
        }
        if let (p, bs, model) = panel {
            ris = RISPathConstants(panel: p, baseStation: bs, model: model, carrier: carrier)
            rxElements = p.elements
            reportsDeparture = false
        } else {
            ris = nil
            rxElements = receiverElements
            reportsDeparture = sensing.beamSweep && link.kind != .cellFree
        }
    }
}

/// A link's second band (`secondBand`): what differs from the primary band's constants.
struct SecondBandConstants: Sendable {
    let carrier: Double
    let wavelength: Double
    let bandwidth: Double
    let symbolDuration: Double
    /// Second band's direct-path constant minus the primary's, dB.
    let directDeltaDb: Double
    /// Second band's echo constant minus the primary's, dB.
    let echoDeltaDb: Double

    /// The model's mean path loss at this band's carrier minus that at the primary carrier, for
    /// the same geometry and LOS state (the leg's shadowing is kept as it is), dB.
    func pathLossDeltaDb(model: any PropagationModel, _ a: Vec3, _ b: Vec3, los: Bool, primary: Double) -> Double {
        let g = LinkGeometry(a, b)
        return model.pathLoss(g, carrierFrequency: carrier, los: los).meanDb - model.pathLoss(g, carrierFrequency: primary, los: los).meanDb
    }
}
