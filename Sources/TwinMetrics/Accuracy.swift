/// Accuracy of the matched estimates (docs/domain.md §10): RMSE, error percentiles and the error
/// CDF, over the 3-D errors ‖x − x̂‖ of the pairs matched within δ (`Matching`).
public struct Accuracy: Sendable, Equatable {
    /// The matched errors (m), ascending: the empirical CDF is F(errors[k]) = (k + 1) / count.
    public var sortedErrors: [Double]

    public init(errors: [Double]) { sortedErrors = errors.sorted() }

    /// √(Σ e² / count) (m); NaN without errors.
    public var rootMeanSquareError: Double {
        sortedErrors.isEmpty ? .nan : (sortedErrors.reduce(0) { $0 + $1 * $1 } / Double(sortedErrors.count)).squareRoot()
    }

    /// The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics
    /// (Hyndman & Fan 1996, definition 7, NumPy's default): h = (N − 1)·q,
    /// Q = e₍⌊h⌋₎ + (h − ⌊h⌋)(e₍⌊h⌋₊₁₎ − e₍⌊h⌋₎), 0-based. NaN without errors.
    public func percentile(_ q: Double) -> Double { Self.quantile(sortedErrors, q) }

    public var p50: Double { percentile(0.5) }
    public var p90: Double { percentile(0.9) }
    public var p95: Double { percentile(0.95) }

    /// The q-quantile of ascending values (see `percentile`).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(max(q, 0), 1)
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}
