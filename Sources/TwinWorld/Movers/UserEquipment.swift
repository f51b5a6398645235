import RealModule
import TwinMath

/// What a UE says about itself: its GNSS-reported position and its timing offset. The fusion
/// centre sees these, never the UE's true position.
public struct UEReport: Sendable, Equatable, Codable {
    public var reportedPosition: Vec3
    /// Timing offset of the UE's clock against the network, seconds (truth: the fusion centre
    /// must calibrate or estimate it, never read it).
    public var clockOffset: Double
    /// Rate of change of the offset, s/s (truth): it shifts the UE's Doppler by c·drift.
    public var clockDrift: Double
    /// Whether this frame's GNSS fix is an outlier (truth, for metrics only).
    public var isOutlier: Bool

    public init(reportedPosition: Vec3, clockOffset: Double, clockDrift: Double, isOutlier: Bool) {
        self.reportedPosition = reportedPosition
        self.clockOffset = clockOffset
        self.clockDrift = clockDrift
        self.isOutlier = isOutlier
    }
}

/// GNSS error and clock of one UE.
///
/// GNSS error: first-order Gauss–Markov per axis, e_{k+1} = a·e_k + √(1−a²)·σ·w with
/// a = exp(−dt/τ), so the error has standard deviation σ and correlation time τ; with
/// probability p per frame the fix is an outlier, displaced horizontally by an exponentially
/// distributed distance (mean `outlierScale`) in a uniform direction.
/// Clock: offset(t) = δ0 + drift·t with δ0 uniform in ±max and drift normal.
public struct UEClockAndGNSS: Sendable, Equatable, Codable {
    var error: Vec3
    var offset0: Double
    var drift: Double
    var rng: SeededRandom

    init(spec: UESpec, rng: SeededRandom) {
        var rng = rng
        error = Vec3(
            rng.gaussian() * spec.gnssSigmaHorizontal, rng.gaussian() * spec.gnssSigmaHorizontal,
            rng.gaussian() * spec.gnssSigmaVertical)
        offset0 = rng.uniform(-spec.clockOffsetMax, spec.clockOffsetMax)
        drift = rng.gaussian() * spec.clockDriftSigma
        self.rng = rng
    }

    mutating func report(truePosition: Vec3, time: Double, dt: Double, spec: UESpec) -> UEReport {
        let a = Double.exp(-dt / spec.gnssCorrelationTime)
        let b = (1 - a * a).squareRoot()
        let sigma = Vec3(spec.gnssSigmaHorizontal, spec.gnssSigmaHorizontal, spec.gnssSigmaVertical)
        let w = Vec3(rng.gaussian(), rng.gaussian(), rng.gaussian())
        error = a * error + b * sigma * w
        var reported = truePosition + error
        let outlier = rng.bernoulli(spec.gnssOutlierProbability)
        if outlier {
            let distance = rng.exponential(rate: 1 / max(spec.gnssOutlierScale, 1e-9))
            let angle = rng.uniform(0, 2 * .pi)
            reported += Vec3(distance * Double.cos(angle), distance * Double.sin(angle), 0)
        }
        return UEReport(reportedPosition: reported, clockOffset: offset0 + drift * time, clockDrift: drift, isOutlier: outlier)
    }
}
