/// Mean path loss of a link and the standard deviation of its log-normal shadow fading
/// (TR 38.901 Table 7.4.1-1). The loss actually applied is `meanDb + shadowSigmaDb · g`,
/// g a spatially consistent standard normal (`GaussMarkovOverDistance`).
public struct PathLoss: Sendable, Equatable {
    /// Mean path loss, dB (positive: a loss).
    public var meanDb: Double
    /// Shadow-fading standard deviation σ_SF, dB.
    public var shadowSigmaDb: Double

    public init(meanDb: Double, shadowSigmaDb: Double) {
        self.meanDb = meanDb
        self.shadowSigmaDb = shadowSigmaDb
    }

    /// The loss with a shadow-fading draw g ~ N(0, 1): meanDb + shadowSigmaDb · g.
    public func withShadowing(_ g: Double) -> Double { meanDb + shadowSigmaDb * g }
}
