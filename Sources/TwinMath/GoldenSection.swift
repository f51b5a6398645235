/// The minimiser of a unimodal `cost` on [lower, upper] by golden-section search: `iterations`
/// shrinkings of the bracket by the golden ratio (60 take a unit interval below 1e-12), and
/// the midpoint of the last bracket. Ties keep the right-hand point. One evaluation per
/// iteration after the first two.
public func goldenSectionMinimum(lower: Double, upper: Double, iterations: Int = 60, cost: (Double) -> Double) -> Double {
    let ratio = (5.0.squareRoot() - 1) / 2
    var (a, b) = (lower, upper)
    var c = b - ratio * (b - a), d = a + ratio * (b - a)
    var fc = cost(c), fd = cost(d)
    for _ in 0..<iterations {
        if fc < fd {
            (b, d, fd) = (d, c, fc)
            c = b - ratio * (b - a)
            fc = cost(c)
        } else {
            (a, c, fc) = (c, d, fd)
            d = a + ratio * (b - a)
            fd = cost(d)
        }
    }
    return (a + b) / 2
}
