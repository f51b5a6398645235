import TwinRadio

/// |a − b| ≤ tolerance.
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance }

/// Sample mean and (unbiased) sample variance.
func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, variance)
}

/// Sample correlation of x[k] and x[k + lag].
func lagCorrelation(_ x: [Double], lag: Int) -> Double {
    let a = Array(x.dropLast(lag))
    let b = Array(x.dropFirst(lag))
    let (ma, va) = meanAndVariance(a)
    let (mb, vb) = meanAndVariance(b)
    var cov = 0.0
    for k in a.indices { cov += (a[k] - ma) * (b[k] - mb) }
    cov /= Double(a.count - 1)
    return cov / (va * vb).squareRoot()
}
