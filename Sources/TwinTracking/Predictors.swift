import RealModule
import TwinMath

/// The interacting multiple model predictor (Blom & Bar-Shalom 1988) over one or more motion
/// models in a common state of the largest dimension; with one model, that model's Kalman
/// (or, for CT, extended Kalman) prediction.
///
/// IMM interaction: c̄ⱼ = Σᵢ Πᵢⱼ μᵢ, each model's mixed prior is the moment-matched mixture of
/// the components with weights Πᵢⱼ μᵢ / c̄ⱼ, then each model predicts its own; the model
/// probabilities become c̄ (the updater multiplies in the likelihoods). Π has 1 − p on the
/// diagonal and p spread evenly off it (`switchProbability`).
public struct IMMPredictor: Predictor {
    public let models: [MotionSettings]
    /// Π[i][j] = P(model j next | model i now).
    let transition: [[Double]]
    public let initialProbabilities: [Double]

    public init(models: [MotionSettings], switchProbability: Double) {
        self.models = models
        let r = models.count
        transition = (0..<r).map { i in
            (0..<r).map { j in r == 1 ? 1 : (i == j ? 1 - switchProbability : switchProbability / Double(r - 1)) }
        }
        initialProbabilities = [Double](repeating: 1 / Double(r), count: r)
    }

    public var dimension: Int { models.map(\.model.dimension).max() ?? 6 }
    public var modelCount: Int { models.count }

    public func predict(_ track: inout Track, dt: Double) {
        let r = track.components.count
        if r == 1 {
            models[0].predict(&track.components[0], dt: dt)
            return
        }
        let mu = track.modelProbabilities
        var cbar = [Double](repeating: 0, count: r)
        for j in 0..<r { for i in 0..<r { cbar[j] += transition[i][j] * mu[i] } }
        var mixed = track.components
        for j in 0..<r where cbar[j] > 0 {
            let weights = (0..<r).map { transition[$0][j] * mu[$0] / cbar[j] }
            mixed[j] = ModelState.mixture(track.components, weights: weights)
        }
        for j in 0..<r { models[j].predict(&mixed[j], dt: dt) }
        track.components = mixed
        track.modelProbabilities = cbar
    }

    /// Why these models cannot share a state, or nil.
    static func problem(_ models: [MotionSettings]) -> (field: String, expected: String, found: String)? {
        if models.isEmpty { return ("name", "a tracker with at least one motion model", "none") }
        let kinds = Set(models.map(\.model))
        if kinds.contains(.constantAcceleration) && kinds.contains(.constantTurn) {
            // Both use state element 6 (aₓ and ω): an IMM can only mix CV with one of them.
            return ("name", "CV with CA, or CV with CT (CA and CT both use state element 6)", "CA and CT together")
        }
        return nil
    }
}

/// The Kalman updater: a linear update on the localisation's position, or (`raw`) a scalar
/// extended Kalman update with each raw range, sum range, Doppler and angle behind it; then
/// the IMM model probabilities from each model's likelihood, and the RCS class estimate.
/// The probabilistic (JPDA) update is the PDA's moment-matched mixture of the hypotheses,
/// each with its own gain.
public struct KalmanUpdater: Updater {
    public let measurement: MeasurementLevel
    public let classes: [TargetClass]

    public init(measurement: MeasurementLevel, classes: [TargetClass]) { (self.measurement, self.classes) = (measurement, classes) }

    public var usesRawMeasurements: Bool { measurement == .raw }

    public func update(_ track: inout Track, with detection: Detection) {
        var logLikelihoods = [Double](repeating: 0, count: track.components.count)
        for j in track.components.indices {
            if measurement == .raw && !detection.raw.isEmpty {
                var ll = 0.0
                for m in detection.raw {
                    if let l = track.components[j].update(m) { ll += l }
                }
                logLikelihoods[j] = ll
            } else if let inn = PositionInnovation(
                predicted: track.components[j], position: detection.position, covariance: detection.covariance)
            {
                track.components[j].update(inn)
                logLikelihoods[j] = inn.logLikelihood
            } else {
                logLikelihoods[j] = -.infinity
            }
        }
        Self.updateModelProbabilities(&track, logLikelihoods)
        observeClass(&track, detection)
    }

    public func update(_ track: inout Track, weighted: WeightedDetections) {
        var logLikelihoods = [Double](repeating: 0, count: track.components.count)
        for j in track.components.indices {
            var parts: [(beta: Double, innovation: PositionInnovation)] = []
            var likelihood = weighted.missWeight
            for (k, i) in weighted.indices.enumerated() {
                let d = weighted.detections[i]
                guard let inn = PositionInnovation(predicted: track.components[j], position: d.position, covariance: d.covariance) else {
                    continue
                }
                parts.append((weighted.weights[k], inn))
                likelihood += Double.exp(weighted.logDetection + inn.logLikelihood - weighted.logClutter)
            }
            track.components[j].pdaUpdate(parts)
            logLikelihoods[j] = Double.log(likelihood)
        }
        Self.updateModelProbabilities(&track, logLikelihoods)
        let betas = weighted.weights
        if let k = betas.indices.max(by: { betas[$0] < betas[$1] }), betas[k] > 0.5 {
            observeClass(&track, weighted.detections[weighted.indices[weighted.indices.startIndex + k]])
        }
    }

    /// μⱼ ∝ μⱼ·Lⱼ, floored at 1e-12 so that a model can always come back.
    static func updateModelProbabilities(_ track: inout Track, _ logLikelihoods: [Double]) {
        guard track.components.count > 1 else { return }
        let top = logLikelihoods.max() ?? 0
        guard top.isFinite else { return }
        var mu = track.modelProbabilities
        var total = 0.0
        for j in mu.indices {
            mu[j] *= Double.exp(logLikelihoods[j] - top)
            total += mu[j]
        }
        guard total > 0, total.isFinite else { return }
        for j in mu.indices { mu[j] = Swift.max(mu[j] / total, 1e-12) }
        let renormalised = mu.reduce(0, +)
        track.modelProbabilities = mu.map { $0 / renormalised }
    }

    /// Adds ln N(rcs; mean, spread² + var) per class (a detection without an RCS adds nothing).
    public func observeClass(_ track: inout Track, _ detection: Detection) {
        guard !classes.isEmpty, let rcs = detection.rcsDbsm, rcs.isFinite else { return }
        let extra = detection.rcsVariance.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0
        if track.classLogLikelihoods.isEmpty { track.classLogLikelihoods = [Double](repeating: 0, count: classes.count) }
        for (c, cls) in classes.enumerated() {
            let v = cls.spreadDb * cls.spreadDb + extra
            let d = rcs - cls.meanDbsm
            track.classLogLikelihoods[c] += -0.5 * (d * d / v + Double.log(2 * Double.pi * v))
        }
    }
}
