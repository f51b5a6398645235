import TwinConfiguration
import TwinMath

// The key tables of the world file's flat sections: one declaration per key (name, unit,
// default, allowed values, meaning, how it is read). The strict reader decodes through them
// (`WorldDecoder.decodeSection`) and worlds/README.md's key reference is generated from them
// (`isac-twin keys --markdown`; a test fails when the two differ).

extension SimulationSpec: SettingsSection {
    public static let defaults = SimulationSpec(dt: 0.1, duration: 0, seed: 1)

    public static let table = SettingsTable<SimulationSpec>(
        [
            SettingKey.number("dt", \.dt, unit: "s", what: "a positive time step in seconds", rule: .positive, doc: "time step of a frame")
                .requiredKey(),
            SettingKey.number(
                "duration", \.duration, unit: "s", what: "a positive duration in seconds", rule: .positive,
                doc: "simulated time (at least one time step); frames = ⌊duration / dt⌋"
            ).requiredKey(),
            SettingKey(
                name: "seed", doc: "seed of every random draw; `--seed` overrides it", defaultText: String(defaults.seed),
                allowed: "≥ 0", expectation: { _ in "a non-negative whole number" },
                apply: { s, input in
                    guard let v = input.integer, v >= 0 else { return false }
                    s.seed = UInt64(v)
                    return true
                }
            ).reading { s in Int(exactly: s.seed).map(LiteralInput.integer) ?? .number(Double(s.seed)) },
        ],
        check: { s in
            guard s.dt > 0, s.duration > 0, let problem = SimulationSpec.checkFrames(dt: s.dt, duration: s.duration) else { return [] }
            return [(key: "duration", expected: problem.expected, found: problem.found)]
        })
}

extension UESpec: SettingsSection {
    public static let defaults = UESpec.default

    public static let table = SettingsTable<UESpec>([
        .group(
            "gnss", doc: "the GNSS fix each UE reports",
            [
                .number(
                    "sigmaHorizontal", \.gnssSigmaHorizontal, unit: "m", what: "a horizontal 1σ error in metres", rule: .nonNegative,
                    doc: "1σ GNSS error per horizontal axis"),
                .number(
                    "sigmaVertical", \.gnssSigmaVertical, unit: "m", what: "a vertical 1σ error in metres", rule: .nonNegative,
                    doc: "1σ vertical GNSS error"),
                .number(
                    "correlationTime", \.gnssCorrelationTime, unit: "s", what: "a correlation time in seconds", rule: .positive,
                    doc: "correlation time τ of the error (first-order Gauss–Markov: e ← a·e + √(1−a²)·σ·w, a = e^(−dt/τ))"),
                .number(
                    "outlierProbability", \.gnssOutlierProbability, what: "a probability in [0, 1]", rule: .probability,
                    doc: "chance per frame that a fix is an outlier"),
                .number(
                    "outlierScale", \.gnssOutlierScale, unit: "m", what: "a mean outlier size in metres", rule: .nonNegative,
                    doc: "mean horizontal size of an outlier (exponential, random direction)"),
            ]),
        .group(
            "clock", doc: "each UE's clock",
            [
                .number(
                    "maxOffsetNs", \.clockOffsetMax, unit: "ns", what: "a largest timing offset in nanoseconds", rule: .nonNegative,
                    scale: 1e-9, doc: "each UE's timing offset is drawn uniformly in ±this"),
                .number(
                    "driftSigmaNsPerS", \.clockDriftSigma, unit: "ns/s", what: "a drift 1σ in ns/s", rule: .nonNegative, scale: 1e-9,
                    doc: "1σ of each UE's clock drift; offset(t) = δ0 + drift·t"),
            ]),
    ])
}

extension SensingFidelityPlan: SettingsSection {
    public static let defaults = SensingFidelityPlan()

    public static let table = SettingsTable<SensingFidelityPlan>([
        .component("monostatic", \.monostatic, registry: "measurement model", doc: ""),
        .component("trp-trp", \.trpTrp, registry: "measurement model", doc: ""),
        .component("trp-ue", \.trpUE, registry: "measurement model", doc: ""),
        .component("cell-free", \.cellFree, registry: "measurement model", doc: ""),
    ])
}

extension WaveformSpec: SettingsSection {
    public static let defaults = WaveformSpec.default

    public static let table = SettingsTable<WaveformSpec>([
        .integer(
            "comb", \.comb, unit: "subcarriers", what: "a comb of \(allowedCombs.map(String.init).joined(separator: ", ")) subcarriers",
            oneOf: allowedCombs,
            doc:
                "reference signal on every comb-th subcarrier; the unambiguous path length c/(comb·Δf) of every base station must exceed 2 × `maxRange` (checked, naming the base station)"
        ),
        .choice(
            "window", \.window,
            doc:
                "window across subcarriers before the delay transform: `hann` (sidelobes −31 dB, main lobe two cells) or `none` (rectangular: one-cell main lobe, sidelobes −13 dB)"
        ),
        .integer(
            "cfarGuard", \.cfarGuard, unit: "resolution cells", what: "a whole number of guard resolution cells from 0 to 64",
            range: 0...64, doc: "CFAR guard cells on each side of the cell under test"),
        .integer(
            "cfarTraining", \.cfarTraining, unit: "resolution cells", what: "a whole number of training resolution cells from 2 to 256",
            range: 2...256, doc: "CFAR training cells on each side"),
        .number(
            "cfarPfa", \.cfarPfa, what: "a false-alarm probability from 1e-12 to 0.1", rule: .closed(1e-12...0.1),
            doc: "design false-alarm probability per independent map cell"),
        .integer(
            "zeroPadding", \.zeroPadding, what: "a whole zero-padding factor from 1 to 8", range: 1...8,
            doc: "the delay transform has the next power of two ≥ zeroPadding × pilots points"),
        .number(
            "sidelobeMarginDb", \.sidelobeMarginDb, unit: "dB", what: "a margin in dB from 0 to 40", rule: .closed(0...40),
            doc: "a weaker peak less than this above a stronger peak's sidelobe envelope is dropped as its sidelobe"),
        .number(
            "synthesisFloorDb", \.synthesisFloorDb, unit: "dB", what: "a depth below the detection threshold in dB from 0 to 60",
            rule: .closed(0...60), doc: "paths weaker than `detectionThresholdDb` minus this are not synthesised"),
        .choice(
            "angles", \.angles,
            doc:
                "angles of arrival: `crlb` draws them around the matched path's truth with the abstract fidelity's variance 6/(m³·SNR̂) (uniform for false alarms); `music` estimates azimuth and elevation by MUSIC on the receive array's snapshots at each peak (horizontal and vertical axes separately; variance 6/(SNR̂·(m² − 1)), the exact bound, plus `angleErrorFloor`) — ≈ 2.5× the run time on factory.yaml trp-trp, so not the default (README \"Waveform fidelity\")"
        ),
        .number(
            "angleErrorFloor", \.angleErrorFloor, unit: "Rayleigh widths", what: "a standard deviation in Rayleigh widths from 0 to 1",
            rule: .closed(0...1),
            doc:
                "with `angles: music`: standard deviation added in quadrature to each angle's Cramér–Rao σ, in the axis's Rayleigh width 2π/m (so 3.9 mrad in azimuth and 7.9 mrad in elevation for a 16 × 8 array): the interference of unresolved paths that the bound ignores; 0 reports the bound alone"
        ),
        .number(
            "rangeErrorFloor", \.rangeErrorFloor, unit: "resolution cells", what: "a standard deviation in resolution cells from 0 to 10",
            rule: .closed(0...10),
            doc:
                "standard deviation added in quadrature to each reported path length's Cramér–Rao σ (resolution c/B ≈ 0.75 m at 400 MHz, so 5 cm): the interference of neighbouring paths that the bound ignores; 0 reports the bound alone"
        ),
    ])
}

extension SensingSpec: SettingsSection {
    public static let defaults = SensingSpec.default

    public static let table = SettingsTable<SensingSpec>([
        .choice(
            "mode", \.mode,
            doc:
                "`monostatic` (each BS alone), `trp-trp` (ordered BS pairs of one operator and one carrier within `maxBaseline`), `trp-ue` (every BS to every UE), `hybrid` (trp-trp + trp-ue), `cell-free` (all BSs of an operator and carrier transmit the same waveform at once; every BS receives, itself included); `--mode` overrides it"
        ),
        .component("channel", \.channel, registry: "channel model", doc: "the channel model of every link:"),
        .number(
            "detectionThresholdDb", \.detectionThresholdDb, unit: "dB", what: "a detection threshold in dB",
            doc: "post-integration SNR below which an echo is missed"),
        .integer(
            "symbolsPerFrame", \.symbolsPerFrame, what: "a whole number of OFDM symbols from 2 to 100000 (Doppler needs two)",
            range: 2...100_000,
            doc:
                "OFDM symbols coherently integrated per frame; integration gain 10 log10(N_subcarriers · N_symbols), N_subcarriers = bandwidth / subcarrier spacing"
        ),
        .choice(
            "lineOfSight", \.lineOfSight,
            doc:
                "`geometry` (ray–obstacle), `stochastic` (38.901 LOS probability, spatially consistent), `both` (clear ray and a LOS draw), `auto` (geometry when the map has obstacles, else stochastic)"
        ),
        .number(
            "maxRange", \.maxRange, unit: "m", what: "a largest sensing range in metres", rule: .positive,
            doc: "longest anchor–target leg that is sensed"),
        .number(
            "maxBaseline", \.maxBaseline, unit: "m", what: "a largest TRP–TRP baseline in metres", rule: .positive,
            doc: "longest TRP–TRP baseline used as a bistatic pair"),
        .number(
            "missProbability", \.missProbability, what: "a probability in [0, 1]", rule: .probability,
            doc: "extra chance that a detectable echo is missed"),
        .number(
            "nlosProbability", \.nlosProbability, what: "a probability in [0, 1]", rule: .probability,
            doc: "chance per link, target and frame of a Type III path (via a scatterer)"),
        .number(
            "nlosExcessMean", \.nlosExcessMean, unit: "m", what: "a mean excess path length in metres", rule: .positive,
            doc: "mean excess length of a Type III path (exponential)"),
        .number(
            "nlosExtraLossDb", \.nlosExtraLossDb, unit: "dB", what: "an extra loss in dB", rule: .nonNegative,
            doc: "extra loss of a Type III path"),
        .number(
            "clutterRate", \.clutterRate, what: "a mean number of false alarms per link and frame, 0 to 1000", rule: .closed(0...1000),
            doc: "mean clutter false alarms per link and frame (Poisson)"),
        .number(
            "clutterSNRMeanDb", \.clutterSNRMeanDb, unit: "dB", what: "a mean false-alarm SNR above the threshold in dB",
            rule: .positive,
            doc:
                "mean SNR of a false alarm above the threshold (exponential); false alarms also carry random angles and a range rate with σ 5 m/s"
        ),
        .integer(
            "backgroundReflectors", \.backgroundReflectors, what: "a whole number of reflectors from 0 to 10000", range: 0...10_000,
            doc: "static reflectors placed 1 m above free floor (echo every frame); fewer when 100 draws per reflector find no free floor"
        ),
        .number(
            "backgroundRCSDbsm", \.backgroundRCSDbsm, unit: "dBsm", what: "a radar cross section in dBsm",
            doc: "their radar cross section"),
        .number(
            "identificationAccuracy", \.identificationAccuracy, what: "a probability in [0, 1]", rule: .probability,
            doc: "cell-free: chance an echo is attributed to the right transmitter"),
        .bool(
            "beamSweep", \.beamSweep, doc: "transmitting BSs sweep beams, so echoes carry an angle of departure (not in cell-free)"),
        .number(
            "stoMaxNs", \.stoMax, unit: "ns", what: "a largest timing offset in nanoseconds", rule: .nonNegative, scale: 1e-9,
            doc: "each BS gets an extra timing offset uniform in ±this (5G keeps STO within ~130 ns)"),
        .pair(
            "ueArray", \.ueArray, unit: "elements", what: "whole numbers of elements from 1 to 64", range: 1...64,
            doc: "UE antenna array (horizontal × vertical)"),
        .number(
            "ueNoiseFigureDb", \.ueNoiseFigureDb, unit: "dB", what: "a noise figure in dB", rule: .nonNegative,
            doc: "UE receiver noise figure"),
        .number(
            "rcsCorrelationTime", \.rcsCorrelationTime, unit: "s", what: "a correlation time in seconds", rule: .positive,
            doc: "correlation time of each target's RCS fluctuation"),
        .bool(
            "ris", \.ris,
            doc:
                "base stations sense through the world's RIS panels (one `ris` link per panel, in every mode); false switches those links off (`--set sensing.ris=false`); no effect in a world without panels"
        ),
        .section(
            "fidelity", \.fidelity, defaultText: "`abstract`",
            doc:
                "the measurement model: one name for every link class or a mapping per class `{monostatic:, trp-trp:, trp-ue:, cell-free:}` (a class left out is `abstract`; RIS links are always `abstract`); `run --fidelity` overrides it for every class. `abstract`: each path's range, rate and angles drawn around the truth with the Cramér–Rao variance at its SNR; `waveform`: the received OFDM frame is synthesised and processed (see `sensing.waveform`)",
            expectation: "a measurement model's name ('abstract', 'waveform', …) or a mapping {monostatic:, trp-trp:, trp-ue:, cell-free:} of names",
            scalar: { plan, input in
                guard let name = input.text, !name.isEmpty else { return false }
                plan = .all(name)
                return true
            }, scalarComponent: "measurement model"),
        .section("waveform", \.waveform, doc: "settings of waveform fidelity"),
    ])
}

extension LocalizerSpec: SettingsSection {
    public static let defaults = LocalizerSpec.default

    public static let table = SettingsTable<LocalizerSpec>([
        .component(
            "name", \.name, registry: "localizer",
            doc: "the fusion centre's localiser; `isac-twin run --localizer NAME` overrides it."),
        .number(
            "gateProbability", \.gateProbability, what: "a probability strictly between 0 and 1", rule: .openProbability,
            doc: "probability of the χ² gates that group echoes into targets (3 dof for a time–angle point, 1 per range or angle)"),
        .integer(
            "minimumLinks", \.minimumLinks, unit: "links", what: "a whole number of links from 1 to 1000", range: 1...1000,
            doc:
                "a target needs echoes on at least this many links (when links between surveyed anchors gave points, this many of those: UE-anchored links only join)"
        ),
        .number(
            "residualProbability", \.residualProbability, what: "a probability strictly between 0 and 1", rule: .openProbability,
            doc: "a fit failing the χ² residual test at this probability loses its worst link (or is rejected); `time-angle` rejects it"),
        .number(
            "dropProbability", \.dropProbability, what: "a probability strictly between 0 and 1", rule: .openProbability,
            doc: "`ue-selection`: a UE is dropped when removing it lowers the residual by more than this χ² quantile"),
        .integer(
            "jointMaxSubset", \.jointMaxSubset, unit: "BSs", what: "a whole number of base stations from 3 to 64", range: 3...64,
            doc: "`joint`: largest number of base stations in one candidate subset"),
        .integer(
            "jointSearchBudget", \.jointSearchBudget, what: "a whole number of partial mappings from 1 to 1000000000",
            range: 1...1_000_000_000,
            doc: "`joint`: partial mappings visited per frame at most; when exhausted, the frame's targets are flagged `low-quality`"),
        .optionalNumber(
            "ueReportSigma", \.ueReportSigma, unit: "m", what: "a GNSS standard deviation in metres", rule: .nonNegative,
            defaultText: "`ue.gnssSigmaHorizontal`",
            doc:
                "the fusion centre's belief about UE position reports (1σ per axis); inflates the variances of every range and angle through a UE"
        ),
    ])
}

extension HandoverSpec: SettingsSection {
    public static let defaults = HandoverSpec.default

    public static let table = SettingsTable<HandoverSpec>([
        .choice(
            "policy", \.policy,
            doc:
                "`none`, `strongest` (switch as soon as another cluster is preferred: no margin, no time-to-trigger), `hysteresis` (A3-like: better by `hysteresisDb`, or the serving cluster lost coverage, continuously for `timeToTrigger`), `predictive` (`hysteresis`, and hand over at once when the serving cluster is predicted from the track's velocity to lose the target within `predictionHorizon`)"
        ),
        .number(
            "hysteresisDb", \.hysteresisDb, unit: "dB", what: "a hysteresis from 0 to 40 dB", rule: .closed(0...40),
            doc: "A3 offset, and the margin above `thresholdDb` micro BSs need for micro-only service"),
        .number(
            "timeToTrigger", \.timeToTrigger, unit: "s", what: "a time-to-trigger from 0 to 60 s", rule: .closed(0...60),
            doc:
                "how long the handover condition must hold towards one candidate cluster; it triggers at the first frame with t − t_first ≥ timeToTrigger; a change of candidate restarts it (as 3GPP A3)"
        ),
        .number(
            "predictionHorizon", \.predictionHorizon, unit: "s", what: "a prediction horizon from 0 to 60 s", rule: .closed(0...60),
            doc: "look-ahead of `predictive`, sampled every frame interval"),
        .integer(
            "clusterSize", \.clusterSize, unit: "BSs", what: "a whole number of base stations from 1 to 16", range: 1...16,
            doc: "base stations per cluster"),
        .number(
            "searchPeriod", \.searchPeriod, unit: "s", what: "a search period from 0.001 to 3600 s", rule: .closed(0.001...3600),
            doc: "every round(searchPeriod / dt)-th frame (from frame 0) is a search frame: every BS senses everywhere, so new targets are found"
        ),
        .number(
            "executionDelay", \.executionDelay, unit: "s", what: "an execution delay from 0 to 60 s", rule: .closed(0...60),
            doc:
                "after a handover at t the old beams are released at once and the new cluster's beams light frames after t + executionDelay; no further handover of the track is considered until then"
        ),
        .number(
            "pingPongWindow", \.pingPongWindow, unit: "s", what: "a ping-pong window from 0 to 3600 s", rule: .closed(0...3600),
            doc: "a handover back to the cluster left within this time is a ping-pong (metrics)"),
        .number(
            "thresholdDb", \.thresholdDb, unit: "dB", what: "a coverage threshold in dB",
            doc:
                "predicted SNR a BS needs to cover a target (its monostatic echo, power-summed with the echoes through the RIS panels it serves when RIS sensing is on)"
        ),
        .number(
            "referenceRCSDbsm", \.referenceRCSDbsm, unit: "dBsm", what: "a radar cross section in dBsm",
            doc: "radar cross section of the reference target of the predicted SNR"),
        .number(
            "minBeamRadius", \.minBeamRadius, unit: "m", what: "a beam radius from 0.1 to 1000 m", rule: .closed(0.1...1000),
            doc: "smallest beam radius around a track's predicted position (beam radius = max(3σ, this))"),
    ])
}

extension CooperationSpec: SettingsSection {
    public static let defaults = CooperationSpec(policy: .measurementSharing)

    public static let table = SettingsTable<CooperationSpec>(
        [
            SettingKey.choice(
                "policy", \.policy,
                doc:
                    "`isolated`: one edge fusion centre per operator (its own links, sites and angles in its own frame, its own tracker); the twin keeps, of the operators' tracks of one target, the one with the smallest determinant of its full state covariance (the criterion covariance intersection minimises). `measurement-sharing`: one core fusion centre over every operator's links plus the cross-operator BS pairs (same carrier, within `sensing.maxBaseline`; always trp-trp links, in `cell-free` mode too, since operators do not transmit one waveform), after calibration. `track-sharing`: edge centres as in `isolated`; the core fuses the operators' tracks of one target by covariance intersection. `--cooperation` on `run` overrides it"
            ).requiredKey(),
            .bool(
                "calibration", \.calibrationSetting,
                doc:
                    "whether the core calibrates the operators: clock offsets against the reference's from the cross-operator Type I paths, every operator's frame onto the world frame from the known sites. Without it cross-operator ranges are taken as synchronised and every operator's sites, angles and tracks as world coordinates"
            ),
            SettingKey.bool("clockCalibration", \.clockCalibration, doc: "the clock half alone").defaulting("`calibration`"),
            SettingKey.bool("frameCalibration", \.frameCalibration, doc: "the frame half alone").defaulting("`calibration`"),
            SettingKey(
                name: "reference",
                doc:
                    "operator whose clock the others' clock offsets are estimated against. Frames need no reference: the core registers every operator's frame (the reference's too) onto the world frame from the sites it knows (Procrustes of reported against surveyed sites)",
                defaultText: "first operator", allowed: "an operator's name", expectation: { _ in "an operator name" },
                apply: { s, input in
                    guard let name = input.text else { return false }
                    s.referenceName = name
                    return true
                }
            ).reading { s in s.referenceName.map(LiteralInput.text) ?? .absent },
            .number(
                "associationGate", \.associationGate, what: "a χ² gate from 0.1 to 1000 (3 degrees of freedom)",
                rule: .closed(0.1...1000),
                doc:
                    "χ² gate (3 dof, 99.9 %) on the position difference Δpᵀ(P_a + P_b)⁻¹Δp for two operators' tracks to be one target (`isolated`, `track-sharing`)"
            ),
        ],
        complete: { s, given in
            if !given.contains("clockCalibration") { s.clockCalibration = s.calibrationSetting }
            if !given.contains("frameCalibration") { s.frameCalibration = s.calibrationSetting }
        })
}

extension SettingKey {
    /// The same key with another default text (a default that is another key's value).
    func defaulting(_ text: String) -> Self {
        var key = SettingKey(
            name: name, unit: unit, doc: doc, defaultText: text, allowed: allowed, kind: kind, expectation: expectation, apply: apply,
            section: section)
        key.current = current
        key.required = required
        return key
    }
}
