import RealModule

/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna 2018) seeded
/// through SplitMix64.
///
/// Every stream has a *key* (its identity) and a *state* (how far it has been drawn). A named
/// substream is derived from the parent's key and the name only, never from the parent's state,
/// so `world.substream("mover/agv-3")` gives the same numbers whether or not other movers were
/// added or drawn from first. Names are hashed with FNV-1a (stable across runs and platforms,
/// unlike Swift's randomly seeded `Hasher`).
///
/// The whole generator is a value type and `Codable`, so a run can persist it and resume.
public struct SeededRandom: RandomNumberGenerator, Codable, Sendable, Hashable {
    /// Identity of the stream; substreams derive from it.
    public let key: UInt64
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A root stream for a seed.
    public init(seed: UInt64) {
        self.init(key: SeededRandom.mix(seed ^ 0x6A09_E667_F3BC_C908))
    }

    private init(key: UInt64) {
        self.key = key
        var sm = key
        s0 = SeededRandom.splitMix(&sm)
        s1 = SeededRandom.splitMix(&sm)
        s2 = SeededRandom.splitMix(&sm)
        s3 = SeededRandom.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // xoshiro's one forbidden state
    }

    /// An independent stream named `name` under this one. Pure function of (key, name).
    public func substream(_ name: String) -> SeededRandom {
        SeededRandom(key: SeededRandom.mix(key &+ SeededRandom.fnv1a(name)))
    }

    /// An independent stream numbered `index` under this one. Pure function of (key, index).
    public func substream(_ index: Int) -> SeededRandom {
        SeededRandom(key: SeededRandom.mix(key ^ SeededRandom.mix(UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15)))
    }

    /// Next 64 random bits (xoshiro256**).
    @inlinable public mutating func next() -> UInt64 { nextBits() }

    @usableFromInline mutating func nextBits() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(nextBits() >> 11) * 0x1.0p-53
    }

    /// Uniform on [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * uniform()
    }

    /// Uniform integer in 0..<n (n > 0), unbiased (Lemire's method through the standard library).
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0, "index(below:) needs a positive bound")
        return Int.random(in: 0..<n, using: &self)
    }

    /// True with probability p.
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Standard normal draw by the ziggurat method (Marsaglia & Tsang 2000, 128 layers), with
    /// Doornik's (2005) fix: the layer index and the value come from separate bits of one
    /// 64-bit draw, so they are independent. About 98.8 % of draws cost one multiplication and
    /// one comparison; the rest fall back to the exact wedge and tail tests.
    public mutating func gaussian() -> Double {
        let table = Ziggurat.shared
        while true {
            let bits = nextBits()
            let layer = Int(bits & 127)
            let hz = Int32(truncatingIfNeeded: bits >> 32)
            let x = Double(hz) * table.w[layer]
            if UInt32(hz.magnitude) < table.k[layer] { return x }
            if layer == 0 {
                // Tail beyond r: Marsaglia's exponential rejection.
                var tail: Double, y: Double
                repeat {
                    tail = -Double.log(1 - uniform()) / Ziggurat.r
                    y = -Double.log(1 - uniform())
                } while y + y < tail * tail
                return hz > 0 ? Ziggurat.r + tail : -(Ziggurat.r + tail)
            }
            // Wedge between the layer's rectangle and the density.
            if table.f[layer] + uniform() * (table.f[layer - 1] - table.f[layer]) < Double.exp(-0.5 * x * x) { return x }
        }
    }

    /// Normal draw with mean and standard deviation.
    public mutating func gaussian(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * gaussian()
    }

    /// Exponential draw with the given rate (mean 1/rate).
    public mutating func exponential(rate: Double) -> Double {
        -Double.log(1.0 - uniform()) / rate
    }

    /// Poisson draw with the given mean: Knuth's product of uniforms, in chunks of mean ≤ 20 so
    /// e^(−mean) never underflows (a sum of independent Poisson draws is Poisson).
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        var remaining = mean
        var count = 0
        while remaining > 0 {
            let chunk = min(remaining, 20)
            remaining -= chunk
            let limit = Double.exp(-chunk)
            var product = uniform()
            while product > limit {
                count += 1
                product *= uniform()
            }
        }
        return count
    }

    // MARK: - Mixing functions

    @usableFromInline func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    static func fnv1a(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// The ziggurat's layer tables for the standard normal (128 layers), computed once.
struct Ziggurat: Sendable {
    static let r = 3.442619855899
    static let shared = Ziggurat()
    /// Acceptance thresholds on |hz|, layer widths scaled by 2⁻³¹, and density at layer edges.
    let k: [UInt32]
    let w: [Double]
    let f: [Double]

    private init() {
        let m1 = 2147483648.0  // 2³¹
        let v = 9.91256303526217e-3  // area of each layer
        var k = [UInt32](repeating: 0, count: 128)
        var w = [Double](repeating: 0, count: 128)
        var f = [Double](repeating: 0, count: 128)
        var dn = Ziggurat.r
        var tn = dn
        let q = v / Double.exp(-0.5 * dn * dn)
        k[0] = UInt32((dn / q) * m1)
        k[1] = 0
        w[0] = q / m1
        w[127] = dn / m1
        f[0] = 1
        f[127] = Double.exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * Double.log(v / dn + Double.exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = UInt32((dn / tn) * m1)
            tn = dn
            f[i] = Double.exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        self.k = k
        self.w = w
        self.f = f
    }
}
