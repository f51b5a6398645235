import RealModule

// MARK: - Sensing fidelity (world keys `sensing.fidelity` and `sensing.waveform`)

/// How a link turns the true paths into measurements.
public enum SensingFidelity: String, Sendable, Equatable, CaseIterable, Codable {
    /// Each path's range and rate drawn around the truth with the Cramér–Rao variance
    /// (docs/domain.md §5): fast, the default.
    case abstract
    /// The received OFDM frame is synthesised and processed (channel estimate, range–Doppler
    /// map, CA-CFAR, refinement): see `WaveformSpec` and TwinRadio's `WaveformProcessor`.
    case waveform
}

/// The measurement model (fidelity) of each link class, by name (TwinSensing's
/// `MeasurementModels`: `abstract`, `waveform`, or one a library user registered):
/// `sensing.fidelity` is either one name for all classes or a mapping `{monostatic:, trp-trp:,
/// trp-ue:, cell-free:}` (missing classes: abstract).
public struct SensingFidelityPlan: Sendable, Equatable, Codable {
    public var monostatic: String
    public var trpTrp: String
    public var trpUE: String
    public var cellFree: String

    public init(monostatic: String = "abstract", trpTrp: String = "abstract", trpUE: String = "abstract", cellFree: String = "abstract") {
        (self.monostatic, self.trpTrp, self.trpUE, self.cellFree) = (monostatic, trpTrp, trpUE, cellFree)
    }

    /// The same measurement model for every link class.
    public static func all(_ name: String) -> SensingFidelityPlan {
        SensingFidelityPlan(monostatic: name, trpTrp: name, trpUE: name, cellFree: name)
    }

    public static func all(_ f: SensingFidelity) -> SensingFidelityPlan { all(f.rawValue) }

    /// Whether any link class uses waveform fidelity.
    public var usesWaveform: Bool { [monostatic, trpTrp, trpUE, cellFree].contains(SensingFidelity.waveform.rawValue) }

    /// The fidelity of a link class by its world-file name (`monostatic`, `trp-trp`, `trp-ue`,
    /// `cell-free`); nil for an unknown name.
    public func fidelity(linkClass name: String) -> String? {
        switch name {
        case "monostatic": monostatic
        case "trp-trp": trpTrp
        case "trp-ue": trpUE
        case "cell-free": cellFree
        default: nil
        }
    }
}

/// Lag window applied across subcarriers before the delay transform.
public enum WaveformWindow: String, Sendable, Equatable, CaseIterable, Codable {
    /// Periodic Hann: sidelobes −31 dB, main lobe twice as wide, noise bandwidth 1.5 bins.
    case hann
    /// Rectangular: the narrowest main lobe (and the efficient estimator for one isolated
    /// tap), sidelobes −13 dB.
    case none
}

/// How waveform fidelity measures angles of arrival (`sensing.waveform.angles`).
public enum WaveformAngles: String, Sendable, Equatable, CaseIterable, Codable {
    /// MUSIC on the receive array's snapshots at each detected peak (TwinRadio `AxisMUSIC`).
    case music
    /// Drawn around the matched path's true angles with the abstract fidelity's bound.
    case crlb
}

/// Settings of waveform fidelity (`sensing.waveform`; every key in worlds/README.md).
public struct WaveformSpec: Sendable, Equatable, Codable {
    /// Reference-signal comb: every `comb`-th subcarrier carries a pilot (power concentrated
    /// on them, so the post-integration SNR of the link budget is kept). Unambiguous path
    /// length c / (comb · Δf).
    public var comb: Int
    public var window: WaveformWindow
    /// CA-CFAR guard cells on each side of the cell under test, in resolution cells (c/B).
    public var cfarGuard: Int
    /// CA-CFAR training cells on each side, in resolution cells.
    public var cfarTraining: Int
    /// Design probability of false alarm per independent map cell.
    public var cfarPfa: Double
    /// Delay transform length ≥ zeroPadding × pilots (rounded up to a power of two).
    public var zeroPadding: Int
    /// A weaker peak within this many dB above a stronger peak's sidelobe envelope is taken
    /// as that sidelobe, not as a path.
    public var sidelobeMarginDb: Double
    /// Paths weaker than this below the detection threshold are not synthesised at all (they
    /// would sit in the noise), dB.
    public var synthesisFloorDb: Double
    /// Standard deviation added in quadrature to each reported path length's Cramér–Rao σ, in
    /// resolution cells (c/B): the multipath interference the bound ignores (0: the bound alone).
    public var rangeErrorFloor: Double
    /// Angles of arrival by MUSIC on the array's snapshots, or drawn around the truth (the
    /// default: MUSIC costs 2.5× the run time on factory.yaml trp-trp, README "Waveform fidelity").
    public var angles: WaveformAngles = .crlb
    /// Standard deviation added in quadrature to each MUSIC angle's Cramér–Rao σ, in the axis's
    /// Rayleigh widths 2π/m (rad of electrical angle): the interference of unresolved
    /// neighbouring paths that the bound ignores (0: the bound alone). Only with `music`.
    public var angleErrorFloor: Double = 0.01

    public static let `default` = WaveformSpec(
        comb: 4, window: .hann, cfarGuard: 3, cfarTraining: 16, cfarPfa: 1e-6, zeroPadding: 1, sidelobeMarginDb: 6,
        synthesisFloorDb: 15, rangeErrorFloor: 0.07, angles: .crlb, angleErrorFloor: 0.01)

    private enum CodingKeys: String, CodingKey {
        case comb, window, cfarGuard, cfarTraining, cfarPfa, zeroPadding, sidelobeMarginDb, synthesisFloorDb, rangeErrorFloor, angles
        case angleErrorFloor
    }

    public init(
        comb: Int, window: WaveformWindow, cfarGuard: Int, cfarTraining: Int, cfarPfa: Double, zeroPadding: Int,
        sidelobeMarginDb: Double, synthesisFloorDb: Double, rangeErrorFloor: Double, angles: WaveformAngles = .crlb,
        angleErrorFloor: Double = 0.01
    ) {
        (self.comb, self.window, self.cfarGuard, self.cfarTraining, self.cfarPfa) = (comb, window, cfarGuard, cfarTraining, cfarPfa)
        (self.zeroPadding, self.sidelobeMarginDb, self.synthesisFloorDb) = (zeroPadding, sidelobeMarginDb, synthesisFloorDb)
        (self.rangeErrorFloor, self.angles, self.angleErrorFloor) = (rangeErrorFloor, angles, angleErrorFloor)
    }

    /// Decodes stored settings; those written before `angles` existed measured angles by
    /// drawing them (`crlb`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            comb: try c.decode(Int.self, forKey: .comb), window: try c.decode(WaveformWindow.self, forKey: .window),
            cfarGuard: try c.decode(Int.self, forKey: .cfarGuard), cfarTraining: try c.decode(Int.self, forKey: .cfarTraining),
            cfarPfa: try c.decode(Double.self, forKey: .cfarPfa), zeroPadding: try c.decode(Int.self, forKey: .zeroPadding),
            sidelobeMarginDb: try c.decode(Double.self, forKey: .sidelobeMarginDb),
            synthesisFloorDb: try c.decode(Double.self, forKey: .synthesisFloorDb),
            rangeErrorFloor: try c.decode(Double.self, forKey: .rangeErrorFloor),
            angles: try c.decodeIfPresent(WaveformAngles.self, forKey: .angles) ?? .crlb,
            angleErrorFloor: try c.decodeIfPresent(Double.self, forKey: .angleErrorFloor) ?? 0.01)
    }

    /// Allowed combs (as for NR positioning and sensing reference signals, plus 1 and 8).
    public static let allowedCombs = [1, 2, 4, 6, 8, 12]

    /// Unambiguous path length of a numerology, m: c / (comb · Δf).
    public func unambiguousPathLength(subcarrierSpacing: Double) -> Double {
        299_792_458.0 / (Double(comb) * subcarrierSpacing)
    }
}

extension SensingSpec {
    /// Problems of waveform fidelity with these base stations: the unambiguous path length
    /// c/(comb·Δf) of every base station must exceed the longest sensed path, 2 × maxRange.
    /// Empty when no link class uses waveform fidelity.
    public func waveformProblems(baseStations: [BaseStationSpec]) -> [WorldFileProblem] {
        guard fidelity.usesWaveform else { return [] }
        var problems: [WorldFileProblem] = []
        for bs in baseStations {
            let unambiguous = waveform.unambiguousPathLength(subcarrierSpacing: bs.subcarrierSpacing)
            if !(unambiguous > 2 * maxRange) {
                problems.append(
                    WorldFileProblem(
                        key: "sensing.waveform.comb / sensing.maxRange / base station '\(bs.name)' subcarrierSpacingKHz",
                        expected:
                            "an unambiguous path length c/(comb·Δf) longer than 2 × sensing.maxRange = \(fmt(2 * maxRange)) m (a smaller comb, subcarrier spacing or maxRange)",
                        found:
                            "c/(\(waveform.comb) × \(fmt(bs.subcarrierSpacing / 1e3)) kHz) = \(fmt(unambiguous)) m"))
            }
        }
        return problems
    }
}
