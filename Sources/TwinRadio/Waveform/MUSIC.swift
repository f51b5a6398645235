import ComplexModule
import RealModule
import TwinMath

/// MUSIC (multiple signal classification) angle estimation, for antenna arrays and for a
/// reconfigurable intelligent surface (RIS) observed through a known sequence of reflection
/// patterns (docs/domain.md §7 item 6).
///
/// Array: snapshots y_b = A(θ)·s_b + n_b (b = 1…B) of an N-element array; the sample
/// covariance R = (1/B) Σ y_b y_bᴴ is decomposed (`ComplexMatrix.hermitianEigen`), the N − K
/// eigenvectors of the smallest eigenvalues span the noise subspace E_n, and the
/// pseudo-spectrum P(θ) = 1 / ‖E_nᴴ a(θ)‖² peaks at the K source angles.
///
/// RIS: the BS cannot see the angle at the panel, so the panel cycles through T known phase
/// patterns (rows of Φ, T × N, unit-modulus entries, the known BS–RIS channel folded in) while
/// the targets' reflections stay put; the BS's temporal-domain vector over the T slots of
/// block b is y_b = Φ·Σ_k a(θ_k)·s_{k,b} + n_b. This is an array with the "steering vector"
/// Φ·a(θ) (T × 1), so MUSIC applies with R (T × T), E_n the T − K smallest eigenvectors and
/// P(θ) = 1 / ‖E_nᴴ Φ a(θ)‖². K < T ≤ N is needed.
///
/// Peaks are picked on a grid (local maxima, largest K) and refined to the local maximum
/// between the neighbouring grid points by golden-section search.
public enum MUSIC {
    /// Steering vector of a uniform linear array: a_n(θ) = exp(j·2π·d·n·sin θ), n = 0…N−1,
    /// θ from broadside (radians), d the spacing in wavelengths.
    public static func ulaSteering(elements: Int, angle: Double, spacing: Double = 0.5) -> [Complex<Double>] {
        let phase = 2 * Double.pi * spacing * Double.sin(angle)
        return (0..<elements).map { n in Complex(length: 1, phase: phase * Double(n)) ?? .zero }
    }

    /// Steering vector of a uniform planar array of nx × ny elements (index n = ix + nx·iy)
    /// in its own frame: the direction of azimuth φ (from broadside, in the array's horizontal
    /// plane) and elevation ε gives phases 2π·d·(ix·cos ε·sin φ + iy·sin ε).
    public static func upaSteering(elements: SIMD2<Int>, azimuth: Double, elevation: Double, spacing: Double = 0.5)
        -> [Complex<Double>]
    {
        let u = 2 * Double.pi * spacing * Double.cos(elevation) * Double.sin(azimuth)
        let v = 2 * Double.pi * spacing * Double.sin(elevation)
        var out: [Complex<Double>] = []
        out.reserveCapacity(elements.x * elements.y)
        for iy in 0..<elements.y {
            for ix in 0..<elements.x { out.append(Complex(length: 1, phase: u * Double(ix) + v * Double(iy)) ?? .zero) }
        }
        return out
    }

    /// The number of sources by the minimum description length (Wax & Kailath 1985):
    /// MDL(k) = −B(n−k)·ln(g_k / a_k) + ½·k(2n−k)·ln B, with g_k and a_k the geometric and
    /// arithmetic means of the n − k smallest eigenvalues; the k in 0…n−1 that minimises it.
    public static func mdlOrder(eigenvalues: [Double], snapshots: Int) -> Int {
        let n = eigenvalues.count
        guard n > 1, snapshots > 0 else { return 0 }
        let ascending = eigenvalues.sorted()
        let b = Double(snapshots)
        var best = 0
        var bestValue = Double.infinity
        for k in 0..<n {
            let noise = ascending[0..<(n - k)].map { Swift.max($0, 1e-300) }
            let m = Double(noise.count)
            let logGeometric = noise.reduce(0) { $0 + Double.log($1) } / m
            let arithmetic = noise.reduce(0, +) / m
            let value = -b * m * (logGeometric - Double.log(arithmetic)) + 0.5 * Double(k) * Double(2 * n - k) * Double.log(b)
            if value < bestValue {
                bestValue = value
                best = k
            }
        }
        return best
    }

    /// What a MUSIC run found.
    public struct Estimate: Sendable, Equatable {
        /// Source angles, ascending, radians.
        public var angles: [Double]
        /// Model order used (given, or MDL's).
        public var sources: Int
        /// Covariance eigenvalues, ascending.
        public var eigenvalues: [Double]
        /// The grid and the pseudo-spectrum on it.
        public var grid: [Double]
        public var spectrum: [Double]
    }

    /// MUSIC on snapshots whose noise-free part is Σ_k b(θ_k)·s_k: `response(θ)` gives b(θ)
    /// (a(θ) for an array, Φ·a(θ) for a RIS). `sources` nil estimates the order by MDL
    /// (at most n − 1). Grid angles in radians, ascending.
    public static func estimate(
        snapshots: [[Complex<Double>]], sources: Int? = nil, grid: [Double], response: (Double) -> [Complex<Double>]
    ) throws(MatrixError) -> Estimate {
        let covariance = ComplexMatrix.sampleCovariance(snapshots)
        let n = covariance.rows
        let (values, vectors) = try covariance.hermitianEigen()
        let k = Swift.min(sources ?? mdlOrder(eigenvalues: values, snapshots: snapshots.count), Swift.max(n - 1, 0))
        // Ascending eigenvalues: the first n − k columns span the noise subspace.
        let noise = (0..<(n - k)).map { vectors.column($0) }
        func denominator(_ theta: Double) -> Double {
            let b = response(theta)
            var total = 0.0
            for e in noise {
                var dot = Complex<Double>.zero
                for i in 0..<n { dot = dot + e[i].conjugate * b[i] }
                total += dot.lengthSquared
            }
            let norm = b.reduce(0) { $0 + $1.lengthSquared }
            return total / Swift.max(norm, 1e-300)
        }
        let spectrum = grid.map { 1 / Swift.max(denominator($0), 1e-300) }
        var peaks: [Int] = []
        for i in grid.indices {
            let left = i > 0 ? spectrum[i - 1] : -.infinity
            let right = i + 1 < grid.count ? spectrum[i + 1] : -.infinity
            if spectrum[i] > left && spectrum[i] >= right { peaks.append(i) }
        }
        peaks.sort { spectrum[$0] != spectrum[$1] ? spectrum[$0] > spectrum[$1] : $0 < $1 }
        let angles = peaks.prefix(k).map { i in
            refine(lower: grid[Swift.max(i - 1, 0)], upper: grid[Swift.min(i + 1, grid.count - 1)], cost: denominator)
        }
        return Estimate(angles: angles.sorted(), sources: k, eigenvalues: values, grid: grid, spectrum: spectrum)
    }

    /// The minimiser of `cost` in [lower, upper] by golden-section search (60 steps: the
    /// bracket shrinks by 0.618⁶⁰ ≈ 3e-13).
    static func refine(lower: Double, upper: Double, cost: (Double) -> Double) -> Double {
        goldenSectionMinimum(lower: lower, upper: upper, cost: cost)
    }

    /// MUSIC for a uniform linear array (θ from broadside).
    public static func estimateULA(
        snapshots: [[Complex<Double>]], elements: Int, spacing: Double = 0.5, sources: Int? = nil, grid: [Double]
    ) throws(MatrixError) -> Estimate {
        try estimate(snapshots: snapshots, sources: sources, grid: grid) { ulaSteering(elements: elements, angle: $0, spacing: spacing) }
    }

    /// MUSIC for a RIS under the known phase patterns `patterns` (Φ, T × N): `snapshots` are
    /// the BS's temporal-domain vectors (length T, one per block) and `steering(θ)` is the
    /// RIS steering vector a(θ) (length N).
    public static func estimateRIS(
        snapshots: [[Complex<Double>]], patterns: ComplexMatrix, sources: Int? = nil, grid: [Double],
        steering: (Double) -> [Complex<Double>]
    ) throws(MatrixError) -> Estimate {
        precondition(snapshots.allSatisfy { $0.count == patterns.rows }, "RIS snapshots must have one value per slot (T)")
        return try estimate(snapshots: snapshots, sources: sources, grid: grid) { patterns.multiply(steering($0)) }
    }

    /// The deterministic Cramér–Rao bound on the source angles (Stoica & Nehorai 1989) for
    /// B snapshots y_b = Σ_k b(θ_k)·s_{k,b} + n_b with white noise of variance σ² per entry:
    /// CRB(θ) = σ²/(2B) · {Re[(Dᴴ Π⊥_A D) ⊙ P̂ᵀ]}⁻¹, with A = [b(θ_k)], D = [∂b/∂θ_k],
    /// Π⊥_A the projector off the columns of A and P̂ = (1/B) Σ s_b s_bᴴ. Returns its diagonal
    /// (rad²). The derivative is a central difference with step 1e-6 rad.
    public static func deterministicCRB(
        angles: [Double], sourceCovariance: ComplexMatrix, noiseVariance: Double, snapshots: Int,
        response: (Double) -> [Complex<Double>]
    ) throws(MatrixError) -> [Double] {
        let k = angles.count
        let h = 1e-6
        let a = angles.map(response)
        let d = angles.map { theta in
            zip(response(theta + h), response(theta - h)).map { ($0 - $1).divided(by: 2 * h) }
        }
        // Orthonormal basis of span(A) by modified Gram–Schmidt.
        var q: [[Complex<Double>]] = []
        for column in a {
            var v = column
            for e in q {
                let dot = zip(e, v).reduce(Complex<Double>.zero) { $0 + $1.0.conjugate * $1.1 }
                v = zip(v, e).map { $0 - dot * $1 }
            }
            let norm = Double.sqrt(v.reduce(0) { $0 + $1.lengthSquared })
            q.append(v.map { $0.divided(by: norm) })
        }
        let projected = d.map { column -> [Complex<Double>] in
            var v = column
            for e in q {
                let dot = zip(e, v).reduce(Complex<Double>.zero) { $0 + $1.0.conjugate * $1.1 }
                v = zip(v, e).map { $0 - dot * $1 }
            }
            return v
        }
        var fisher = Matrix(rows: k, columns: k)
        for i in 0..<k {
            for j in 0..<k {
                let m = zip(d[i], projected[j]).reduce(Complex<Double>.zero) { $0 + $1.0.conjugate * $1.1 }
                fisher[i, j] = (m * sourceCovariance[j, i]).real
            }
        }
        let inverse = try fisher.inverse()
        let scale = noiseVariance / (2 * Double(snapshots))
        return (0..<k).map { scale * inverse[$0, $0] }
    }
}
