import ComplexModule
import Foundation
import Testing
import TwinMath

/// Largest |aᵢ − bᵢ| between two complex sequences of equal length.
private func maxDifference(_ a: [Complex<Double>], _ b: [Complex<Double>]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { ($0 - $1).length }.max() ?? 0
}

/// The O(n²) definition Xₖ = Σⱼ xⱼ e^(∓2πi·jk/n), with the angle reduced modulo n exactly.
private func naiveDFT(_ x: [Complex<Double>], sign: Double) -> [Complex<Double>] {
    let n = x.count
    return (0..<n).map { k in
        var sum = Complex<Double>.zero
        for j in 0..<n {
            let angle = sign * 2 * Double.pi * Double((j * k) % n) / Double(n)
            sum += x[j] * Complex(cos(angle), sin(angle))
        }
        return sum
    }
}

/// Deterministic complex test signal.
private func signal(_ n: Int, seed: UInt64) -> [Complex<Double>] {
    var rng = SeededRandom(seed: seed)
    return (0..<n).map { _ in Complex(rng.uniform(-1, 1), rng.uniform(-1, 1)) }
}

struct FFTTests {
    @Test func impulseTransformsToConstant() {
        let n = 16
        var impulse = [Complex<Double>](repeating: .zero, count: n)
        impulse[0] = Complex(1, 0)
        let spectrum = FFT.forward(impulse)
        #expect(maxDifference(spectrum, Array(repeating: Complex(1, 0), count: n)) == 0)
    }

    @Test func constantTransformsToImpulse() {
        let n = 16
        let spectrum = FFT.forward(Array(repeating: Complex(2, -1), count: n))
        var expected = [Complex<Double>](repeating: .zero, count: n)
        expected[0] = Complex(2 * Double(n), -Double(n))
        #expect(maxDifference(spectrum, expected) < 1e-13)
        // And back: the unnormalised backward transform of an impulse at 0 is constant.
        #expect(maxDifference(FFT.backward(expected), Array(repeating: Complex(2 * Double(n), -Double(n)), count: n)) < 1e-13)
    }

    @Test func complexExponentialLandsInItsBin() {
        // xⱼ = 3·e^(2πi·5j/n) ⇒ Xₖ = 3n·δₖ₅ (forward uses e^(−2πi·jk/n)).
        let n = 32, bin = 5
        let x = (0..<n).map { j in Complex<Double>(length: 3, phase: 2 * Double.pi * Double(bin * j) / Double(n)) }
        let spectrum = FFT.forward(x)
        var expected = [Complex<Double>](repeating: .zero, count: n)
        expected[bin] = Complex(3 * Double(n), 0)
        #expect(maxDifference(spectrum, expected) < 1e-12)
        // Backward of that single bin gives n times the exponential back.
        #expect(maxDifference(FFT.inverse(expected), x) < 1e-14)
    }

    @Test func negativeFrequencyUsesTheUpperBins() {
        // e^(−2πi·j/n) is bin n − 1.
        let n = 8
        let x = (0..<n).map { j in Complex<Double>(length: 1, phase: -2 * Double.pi * Double(j) / Double(n)) }
        let spectrum = FFT.forward(x)
        #expect(abs(spectrum[n - 1].real - Double(n)) < 1e-13)
        #expect(spectrum[0..<(n - 1)].allSatisfy { $0.length < 1e-13 })
    }

    @Test func parsevalHolds() {
        // Σ|xⱼ|² = (1/n) Σ|Xₖ|²
        let x = signal(50, seed: 11)
        let spectrum = FFT.forward(x)
        let timeEnergy = x.map(\.lengthSquared).reduce(0, +)
        let frequencyEnergy = spectrum.map(\.lengthSquared).reduce(0, +) / Double(x.count)
        #expect(abs(timeEnergy - frequencyEnergy) < 1e-12 * timeEnergy)
    }

    @Test(arguments: [1, 2, 7, 37, 100, 1024])
    func inverseUndoesForward(n: Int) {
        let x = signal(n, seed: UInt64(n))
        #expect(maxDifference(FFT.inverse(FFT.forward(x)), x) < 1e-13)
        #expect(maxDifference(FFT.forward(FFT.inverse(x)), x) < 1e-13)
        // backward is unnormalised: backward(forward(x)) = n·x
        let scaled = x.map { $0.multiplied(by: Double(n)) }
        #expect(maxDifference(FFT.backward(FFT.forward(x)), scaled) < 1e-12 * Double(n))
    }

    @Test(arguments: [8, 12, 64])
    func matchesNaiveDFT(n: Int) {
        let x = signal(n, seed: 1000 + UInt64(n))
        #expect(maxDifference(FFT.forward(x), naiveDFT(x, sign: -1)) < 1e-12)
        #expect(maxDifference(FFT.backward(x), naiveDFT(x, sign: +1)) < 1e-12)
    }

    @Test func emptyInputGivesEmptyOutput() {
        #expect(FFT.forward([]).isEmpty && FFT.backward([]).isEmpty && FFT.inverse([]).isEmpty)
    }

    @Test func bufferVariantHandlesAliasingAndMisalignment() {
        let n = 24
        let x = signal(n, seed: 5)
        let expected = naiveDFT(x, sign: -1)
        let plan = FFTPlanCache.shared.plan(length: n, direction: .forward)

        // In place: input and output are the same memory.
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { buffer in
            plan.execute(input: UnsafeBufferPointer(buffer), output: buffer)
        }
        #expect(maxDifference(inPlace, expected) < 1e-12)

        // Sub-ranges of Swift arrays at element offsets 0 and 1: every combination of input and
        // output offsets must give the same answer.
        for inOffset in 0...1 {
            var source = [Complex<Double>](repeating: .zero, count: n + 1)
            source.replaceSubrange(inOffset..<(inOffset + n), with: x)
            for outOffset in 0...1 {
                var destination = [Complex<Double>](repeating: Complex(.nan, .nan), count: n + 1)
                source.withUnsafeBufferPointer { src in
                    destination.withUnsafeMutableBufferPointer { dst in
                        plan.execute(
                            input: UnsafeBufferPointer(rebasing: src[inOffset..<(inOffset + n)]),
                            output: UnsafeMutableBufferPointer(rebasing: dst[outOffset..<(outOffset + n)]))
                    }
                }
                #expect(maxDifference(Array(destination[outOffset..<(outOffset + n)]), expected) < 1e-12)
            }
        }
    }

    @Test func bufferVariantHandlesEightByteAlignedMemory() {
        // Complex<Double> only needs 8-byte alignment, FFTW's SIMD code wants 16: buffers at
        // 8 (mod 16) must be staged through aligned scratch and still give the right answer.
        let n = 10
        let x = signal(n, seed: 6)
        let expected = naiveDFT(x, sign: -1)
        let plan = FFTPlan(length: n, direction: .forward)
        let stride = MemoryLayout<Complex<Double>>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 2 * n * stride + 32, alignment: 16)
        defer { raw.deallocate() }
        let input = (raw + 8).bindMemory(to: Complex<Double>.self, capacity: n)
        let output = (raw + 8 + n * stride + 16).bindMemory(to: Complex<Double>.self, capacity: n)
        input.initialize(from: x, count: n)
        output.initialize(repeating: Complex(.nan, .nan), count: n)
        plan.execute(
            input: UnsafeBufferPointer(start: input, count: n),
            output: UnsafeMutableBufferPointer(start: output, count: n))
        #expect(maxDifference(Array(UnsafeBufferPointer(start: output, count: n)), expected) < 1e-12)
        #expect(Array(UnsafeBufferPointer(start: input, count: n)) == x)  // input preserved
    }

    @Test func cacheReturnsOnePlanPerLengthAndDirection() {
        let cache = FFTPlanCache()
        let a = cache.plan(length: 20, direction: .forward)
        #expect(cache.plan(length: 20, direction: .forward) === a)
        #expect(cache.plan(length: 20, direction: .backward) !== a)
        #expect(cache.plan(length: 21, direction: .forward) !== a)
        #expect(cache.count == 3)
        #expect(a.length == 20 && a.direction == .forward)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(a.execute(Array(repeating: Complex(1, 0), count: 20))[0] == Complex(20, 0))  // still alive
    }

    @Test func concurrentPlanningAndExecutionAgreeWithSerialResults() async {
        // Plan creation from many tasks at once must be serialised by the cache/planner lock,
        // and execution on a shared plan is thread-safe. Each task checks its own answer.
        let cache = FFTPlanCache()
        let lengths = [6, 10, 16, 30, 48, 64, 90, 128]
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    let n = lengths[task % lengths.count]
                    let x = signal(n, seed: UInt64(task))
                    let forward = cache.plan(length: n, direction: .forward).execute(x)
                    let back = cache.plan(length: n, direction: .backward).execute(forward)
                    let restored = back.map { $0.divided(by: Double(n)) }
                    return maxDifference(forward, naiveDFT(x, sign: -1)) < 1e-11 && maxDifference(restored, x) < 1e-13 ? 0 : 1
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(cache.count == 2 * lengths.count)
    }
}
