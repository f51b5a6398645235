import RealModule

/// Quantile of χ² with k dof at probability p: the Wilson–Hilferty approximation
/// k(1 − 2/(9k) + z·√(2/(9k)))³ (z the standard normal quantile of p) refined by Newton steps
/// on the regularised incomplete gamma function P(k/2, x/2) = p; relative error below 1e-10.
public func chiSquareQuantile(probability p: Double, degreesOfFreedom k: Int) -> Double {
    let kd = Double(Swift.max(k, 1))
    let a = 2 / (9 * kd)
    let t = 1 - a + normalQuantile(p) * a.squareRoot()
    var x = Swift.max(kd * t * t * t, 1e-3)
    let half = kd / 2
    let logNormaliser = Double.logGamma(half) + half * Double.log(2)
    for _ in 0..<50 {
        let f = regularizedLowerGamma(half, x / 2) - p
        // χ² density at x.
        let density = Double.exp((half - 1) * Double.log(x) - x / 2 - logNormaliser)
        guard density > 0 else { break }
        var next = x - f / density
        if next <= 0 { next = x / 2 }
        if abs(next - x) <= 1e-12 * x {
            x = next
            break
        }
        x = next
    }
    return x
}

/// P(a, x), the regularised lower incomplete gamma function: its series for x < a + 1, else
/// one minus the continued fraction of Q (Lentz's method), as in Numerical Recipes §6.2.
public func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let front = a * Double.log(x) - x - Double.logGamma(a)
    if x < a + 1 {
        var term = 1 / a
        var sum = term
        var n = a
        for _ in 0..<500 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return sum * Double.exp(front)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1...500 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return 1 - Double.exp(front) * h
}

/// The standard normal quantile (Acklam's algorithm, relative error below 1.2·10⁻⁹).
public func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "probability must lie in (0, 1)")
    let a = [
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
        2.506628277459239e+00,
    ]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    let c = [
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
        2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * Double.log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low {
        let q = (-2 * Double.log(1 - p)).squareRoot()
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}
