import CBLAS

/// Process-wide numerical runtime settings for TwinMath.
public enum TwinMathRuntime {
    /// Runs once, on first use: pins OpenBLAS to one thread, so BLAS/LAPACK results and timings
    /// do not depend on the machine's core count (multi-threaded BLAS may reduce sums in a
    /// different order). Swift guarantees the initializer of a global/static `let` runs once,
    /// thread-safely.
    private static let configuredOnce: Void = {
        openblas_set_num_threads(1)
    }()

    /// Applies the settings above. Idempotent and cheap; every BLAS/LAPACK entry point in
    /// TwinMath calls it, and a program may call it early to make the choice explicit.
    public static func configure() {
        _ = configuredOnce
    }
}
