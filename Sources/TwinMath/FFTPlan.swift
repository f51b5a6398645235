import CFFTW
import ComplexModule
import Foundation
import RealModule

/// An FFTW plan for a one-dimensional complex-to-complex DFT of fixed length and direction.
///
/// With n = `length`, the transforms are
/// - forward:  Xₖ = Σⱼ xⱼ · e^(−2πi·jk/n),
/// - backward: xⱼ = Σₖ Xₖ · e^(+2πi·jk/n),
///
/// both unnormalised as in FFTW, so backward(forward(x)) = n·x. Use `FFT.inverse(_:)` for the
/// normalised inverse.
///
/// Plans are created with `FFTW_ESTIMATE`, which picks the algorithm by heuristics rather than
/// timing measurements, so the same length always gives the same plan and bit-identical results.
/// Planning happens on private `fftw_malloc` scratch arrays that are freed at once; the plan is
/// only ever run through the new-array interface `fftw_execute_dft`, which FFTW documents as
/// thread-safe, so one plan may execute on many threads at once. FFTW's planner and
/// `fftw_destroy_plan` are *not* thread-safe; every plan creation and destruction in TwinMath is
/// serialised by one process-wide lock. (Other code in the process that calls FFTW's planner
/// directly would bypass that lock.)
///
/// Prefer `FFTPlanCache.shared.plan(length:direction:)` to creating plans yourself.
public final class FFTPlan: @unchecked Sendable {
    /// Sign of the exponent: forward is e^(−2πi·jk/n) (`FFTW_FORWARD`), backward e^(+2πi·jk/n).
    public enum Direction: Hashable, Sendable, Codable, CaseIterable {
        case forward, backward

        var fftwSign: Int32 {
            switch self {
            case .forward: FFTW_FORWARD
            case .backward: FFTW_BACKWARD
            }
        }
    }

    /// Transform length n ≥ 1.
    public let length: Int
    /// Transform direction.
    public let direction: Direction
    /// The FFTW plan; immutable after init, destroyed in deinit.
    private let plan: OpaquePointer

    /// Plans an out-of-place transform of `length` (≥ 1) points. Traps if FFTW cannot plan it.
    public init(length: Int, direction: Direction) {
        precondition(length >= 1, "FFTPlan needs a length of at least 1, got \(length)")
        precondition(length <= Int(Int32.max), "FFTPlan length \(length) exceeds FFTW's int range")
        self.length = length
        self.direction = direction
        let made: OpaquePointer? = fftwPlannerLock.withLock {
            let bytes = length * MemoryLayout<fftw_complex>.stride
            guard let inRaw = fftw_malloc(bytes), let outRaw = fftw_malloc(bytes) else { return nil }
            defer {
                fftw_free(inRaw)
                fftw_free(outRaw)
            }
            let inPtr = inRaw.bindMemory(to: fftw_complex.self, capacity: length)
            let outPtr = outRaw.bindMemory(to: fftw_complex.self, capacity: length)
            return fftw_plan_dft_1d(
                Int32(length), inPtr, outPtr, direction.fftwSign,
                UInt32(FFTW_ESTIMATE | FFTW_PRESERVE_INPUT))
        }
        guard let made else { fatalError("FFTW could not plan a transform of length \(length)") }
        plan = made
    }

    deinit {
        fftwPlannerLock.withLock { fftw_destroy_plan(plan) }
    }

    /// Transforms `input` (exactly `length` values) and returns the `length` output values.
    public func execute(_ input: [Complex<Double>]) -> [Complex<Double>] {
        precondition(input.count == length, "FFTPlan of length \(length) got \(input.count) values")
        return [Complex<Double>](unsafeUninitializedCapacity: length) { buffer, initialized in
            let output = UnsafeMutableBufferPointer(rebasing: buffer[0..<length])
            input.withUnsafeBufferPointer { execute(input: $0, output: output) }
            initialized = length
        }
    }

    /// Transforms `input` into `output`; both must hold exactly `length` values.
    ///
    /// The buffers may be the same or overlap (the input is then staged through scratch memory
    /// first), and need no particular alignment: FFTW's new-array execute requires the same SIMD
    /// alignment as at planning time, so misaligned buffers are staged through 64-byte-aligned
    /// scratch. `output` need not be initialised; every element is written. Thread-safe.
    public func execute(
        input: UnsafeBufferPointer<Complex<Double>>,
        output: UnsafeMutableBufferPointer<Complex<Double>>
    ) {
        precondition(
            input.count == length && output.count == length,
            "FFTPlan of length \(length) got buffers of \(input.count) and \(output.count)")
        let bytes = length * MemoryLayout<Complex<Double>>.stride
        let inRaw = UnsafeRawPointer(input.baseAddress!)
        let outRaw = UnsafeMutableRawPointer(output.baseAddress!)
        let overlapping = inRaw < UnsafeRawPointer(outRaw + bytes) && UnsafeRawPointer(outRaw) < inRaw + bytes
        let inputUsable = !overlapping && Self.isAligned(inRaw)
        let outputUsable = Self.isAligned(UnsafeRawPointer(outRaw))

        let stagedIn = inputUsable ? nil : Self.allocateScratch(bytes: bytes)
        let stagedOut = outputUsable ? nil : Self.allocateScratch(bytes: bytes)
        defer {
            stagedIn?.deallocate()
            stagedOut?.deallocate()
        }
        if let stagedIn { stagedIn.copyMemory(from: inRaw, byteCount: bytes) }
        let source = stagedIn.map(UnsafeRawPointer.init) ?? inRaw
        let destination = stagedOut ?? outRaw
        // Complex<Double> is two stored Doubles (real, imaginary), the same layout as
        // fftw_complex = double[2]; FFTW sees only the raw memory.
        fftw_execute_dft(
            plan,
            UnsafeMutableRawPointer(mutating: source).assumingMemoryBound(to: fftw_complex.self),
            destination.assumingMemoryBound(to: fftw_complex.self))
        if let stagedOut { outRaw.copyMemory(from: stagedOut, byteCount: bytes) }
    }

    /// FFTW's SIMD alignment test: plans were made on `fftw_malloc` arrays (offset 0).
    private static func isAligned(_ pointer: UnsafeRawPointer) -> Bool {
        fftw_alignment_of(UnsafeMutableRawPointer(mutating: pointer).assumingMemoryBound(to: Double.self)) == 0
    }

    private static func allocateScratch(bytes: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    }
}

/// Serialises FFTW's non-thread-safe planner and plan destruction across the process.
let fftwPlannerLock = NSLock()
