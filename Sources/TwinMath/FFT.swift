import ComplexModule
import RealModule

/// One-shot discrete Fourier transforms through the shared `FFTPlanCache`.
///
/// For x of length n:
/// - `forward`:  Xₖ = Σⱼ xⱼ e^(−2πi·jk/n)
/// - `backward`: xⱼ = Σₖ Xₖ e^(+2πi·jk/n) (unnormalised, as FFTW: backward(forward(x)) = n·x)
/// - `inverse`:  backward / n, so inverse(forward(x)) = x up to rounding.
///
/// An empty input gives an empty output. All three are thread-safe.
public enum FFT {
    /// Forward DFT, Xₖ = Σⱼ xⱼ e^(−2πi·jk/n).
    public static func forward(_ x: [Complex<Double>]) -> [Complex<Double>] {
        transform(x, .forward)
    }

    /// Unnormalised backward DFT, xⱼ = Σₖ Xₖ e^(+2πi·jk/n).
    public static func backward(_ x: [Complex<Double>]) -> [Complex<Double>] {
        transform(x, .backward)
    }

    /// Normalised inverse DFT, xⱼ = (1/n) Σₖ Xₖ e^(+2πi·jk/n).
    public static func inverse(_ x: [Complex<Double>]) -> [Complex<Double>] {
        guard !x.isEmpty else { return [] }
        let scale = 1.0 / Double(x.count)
        return transform(x, .backward).map { $0.multiplied(by: scale) }
    }

    private static func transform(_ x: [Complex<Double>], _ direction: FFTPlan.Direction) -> [Complex<Double>] {
        guard !x.isEmpty else { return [] }
        return FFTPlanCache.shared.plan(length: x.count, direction: direction).execute(x)
    }
}
