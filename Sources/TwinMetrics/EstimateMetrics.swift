import TwinMath

/// Settings of the metrics: detection threshold δ (m), OSPA/GOSPA cutoff c (m) and order p.
public struct MetricsSettings: Sendable, Equatable, Codable {
    public var threshold: Double
    public var cutoff: Double
    public var order: Double

    public init(threshold: Double = 1, cutoff: Double = 10, order: Double = 2) {
        self.threshold = threshold
        self.cutoff = cutoff
        self.order = order
    }
}

/// Every per-frame metric of one estimator (raw localisations or the tracked twin) over a
/// series of frames: detection (P_MD, P_FA), accuracy (RMSE, percentiles, CDF), continuity
/// per target and pooled, and the mean OSPA and GOSPA (docs/domain.md §10). One matching serves
/// detection, accuracy and continuity: the one-to-one optimal assignment within δ
/// (`Matching`). OSPA and GOSPA use their own assignment on min(d, c)ᵖ.
public struct EstimateMetrics: Sendable, Equatable {
    public var settings: MetricsSettings
    public var frames: Int
    public var detection: DetectionCounts
    public var accuracy: Accuracy
    public var continuity: Continuity
    /// Means over frames of the per-frame OSPA and its components (m).
    public var ospa: OSPAMean
    /// Means over frames of the per-frame GOSPA (m) and of its components (mᵖ).
    public var gospa: GOSPAMean

    public struct OSPAMean: Sendable, Equatable {
        public var distance = 0.0
        public var localization = 0.0
        public var cardinality = 0.0
    }

    public struct GOSPAMean: Sendable, Equatable {
        public var distance = 0.0
        public var localization = 0.0
        public var missed = 0.0
        public var falseTargets = 0.0
    }

    public init(frames series: [MetricsFrame], settings: MetricsSettings = MetricsSettings()) {
        self.settings = settings
        frames = series.count
        var detection = DetectionCounts()
        var errors: [Double] = []
        var targets: [Int: TargetContinuity] = [:]
        var ospa = OSPAMean(), gospa = GOSPAMean()
        for frame in series {
            let truths = frame.targets.map(\.position), estimates = frame.estimates.map(\.position)
            let matches = Matching.match(targets: truths, estimates: estimates, threshold: settings.threshold)
            detection.add(targets: truths, estimates: estimates, matches: matches)
            errors.append(contentsOf: matches.map(\.error))
            var covered = [Bool](repeating: false, count: truths.count)
            for m in matches { covered[m.target] = true }
            for (k, target) in frame.targets.enumerated() {
                targets[target.id, default: TargetContinuity(id: target.id)].add(covered: covered[k])
            }
            let o = OSPA(truths: truths, estimates: estimates, cutoff: settings.cutoff, order: settings.order)
            ospa.distance += o.distance
            ospa.localization += o.localization
            ospa.cardinality += o.cardinality
            let g = GOSPA(truths: truths, estimates: estimates, cutoff: settings.cutoff, order: settings.order)
            gospa.distance += g.distance
            gospa.localization += g.localization
            gospa.missed += g.missed
            gospa.falseTargets += g.falseTargets
        }
        let n = Double(max(series.count, 1))
        ospa = OSPAMean(distance: ospa.distance / n, localization: ospa.localization / n, cardinality: ospa.cardinality / n)
        gospa = GOSPAMean(
            distance: gospa.distance / n, localization: gospa.localization / n, missed: gospa.missed / n,
            falseTargets: gospa.falseTargets / n)
        self.detection = detection
        self.accuracy = Accuracy(errors: errors)
        self.continuity = Continuity(targets: Array(targets.values))
        self.ospa = ospa
        self.gospa = gospa
    }
}
