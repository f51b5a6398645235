import Foundation
import Testing
import TwinMath

struct CheckpointCodingTests {
    private struct Values: Codable, Equatable {
        var doubles: [Double]
        var optional: Double?
        var none: Double?
    }

    @Test func doublesRoundTripBitForBit() throws {
        var awkward: [Double] = [
            0.1 + 0.2, 0.1, 1.0 / 3, 2.0 / 3, 0x1p-1030 /* ≈ 8.7e-311, subnormal */, 1e-310 * 1.5,
            .leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextDown, .ulpOfOne, 1 + .ulpOfOne,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0, .pi, -.pi, 9_007_199_254_740_993, 1e22, 1e23, 4.35,
            123_456_789.123_456_789, 0.1.nextUp, 0.1.nextDown,
            .infinity, -.infinity,
        ]
        #expect((1e-310 as Double).isSubnormal)
        awkward.append(1e-310)
        // Random bit patterns over every finite exponent, subnormals included.
        var rng = SeededRandom(seed: 11)
        for _ in 0..<20_000 {
            let bits = rng.next()
            let value = Double(bitPattern: bits)
            if value.isFinite { awkward.append(value) }
        }
        let values = Values(doubles: awkward, optional: -0.0, none: nil)
        let data = try CheckpointCoding.encode(values)
        let back = try CheckpointCoding.decode(Values.self, from: data)
        #expect(back.doubles.count == awkward.count)
        let wrong = zip(awkward, back.doubles).filter { $0.bitPattern != $1.bitPattern }
        #expect(wrong.isEmpty, "not exact: \(wrong.prefix(5))")
        #expect(back.optional?.bitPattern == (-0.0).bitPattern)
        #expect(back.none == nil)
        // Sorted keys: equal values give equal bytes.
        #expect(try CheckpointCoding.encode(back) == data)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix(#"{"doubles":[0.30000000000000004,"#))
    }

    @Test func nonFiniteValuesAreStrings() throws {
        let data = try CheckpointCoding.encode([Double.infinity, -.infinity, .nan, 1])
        #expect(String(decoding: data, as: UTF8.self) == #"["+inf","-inf","nan",1]"#)
        let back = try CheckpointCoding.decode([Double].self, from: data)
        #expect(back[0] == .infinity && back[1] == -.infinity && back[2].isNaN && back[3] == 1)
    }

    @Test func seededRandomResumesItsStream() throws {
        var rng = SeededRandom(seed: 5).substream("x")
        for _ in 0..<17 { _ = rng.gaussian() }
        var copy = try CheckpointCoding.decode(SeededRandom.self, from: CheckpointCoding.encode(rng))
        #expect(copy == rng)
        #expect((0..<100).map { _ in rng.next() } == (0..<100).map { _ in copy.next() })
    }
}
