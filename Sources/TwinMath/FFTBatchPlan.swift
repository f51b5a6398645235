import CFFTW
import ComplexModule
import Foundation
import RealModule

/// Complex doubles in FFTW-aligned memory (`fftw_malloc`), for `FFTBatchPlan`: scratch that a
/// processing object allocates once and reuses frame after frame. Not thread-safe (a buffer
/// belongs to one owner); zero-filled on creation.
public final class FFTAlignedBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Complex<Double>>

    public init(count: Int) {
        precondition(count >= 1, "FFTAlignedBuffer needs at least one element")
        self.count = count
        guard let raw = fftw_malloc(count * MemoryLayout<Complex<Double>>.stride) else {
            fatalError("fftw_malloc could not allocate \(count) complex values")
        }
        pointer = raw.bindMemory(to: Complex<Double>.self, capacity: count)
        pointer.initialize(repeating: .zero, count: count)
    }

    deinit { fftw_free(UnsafeMutableRawPointer(pointer)) }

    public subscript(i: Int) -> Complex<Double> {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: .zero, count: count) }
}

/// An FFTW plan for `howMany` one-dimensional transforms of `length` points laid out with
/// `stride` between points and `distance` between transforms (`fftw_plan_many_dft`), e.g. the
/// rows (stride 1, distance = row length) or the columns (stride = row length, distance 1) of
/// a row-major matrix. Out of place, unnormalised, `FFTW_ESTIMATE` (deterministic).
///
/// Executed only through FFTW's new-array interface on `FFTAlignedBuffer`s, which is
/// thread-safe; creation and destruction go through `FFTPlan`'s process-wide planner lock
/// (via `FFTBatchPlanCache`, which also reuses plans of the same shape).
public final class FFTBatchPlan: @unchecked Sendable {
    public struct Shape: Hashable, Sendable {
        public var length: Int
        public var howMany: Int
        public var stride: Int
        public var distance: Int
        public var direction: FFTPlan.Direction

        public init(length: Int, howMany: Int, stride: Int, distance: Int, direction: FFTPlan.Direction) {
            (self.length, self.howMany, self.stride, self.distance, self.direction) = (length, howMany, stride, distance, direction)
        }

        /// Elements a buffer needs to hold for this shape.
        public var span: Int { (length - 1) * stride + (howMany - 1) * distance + 1 }
    }

    public let shape: Shape
    private let plan: OpaquePointer

    init(shape: Shape) {
        precondition(shape.length >= 1 && shape.howMany >= 1 && shape.stride >= 1 && shape.distance >= 1, "bad FFT batch shape \(shape)")
        self.shape = shape
        let made: OpaquePointer? = fftwPlannerLock.withLock {
            let n = shape.span
            let bytes = n * MemoryLayout<fftw_complex>.stride
            guard let inRaw = fftw_malloc(bytes), let outRaw = fftw_malloc(bytes) else { return nil }
            defer {
                fftw_free(inRaw)
                fftw_free(outRaw)
            }
            let i = inRaw.bindMemory(to: fftw_complex.self, capacity: n)
            let o = outRaw.bindMemory(to: fftw_complex.self, capacity: n)
            var length = Int32(shape.length)
            return fftw_plan_many_dft(
                1, &length, Int32(shape.howMany), i, nil, Int32(shape.stride), Int32(shape.distance), o, nil, Int32(shape.stride),
                Int32(shape.distance), shape.direction.fftwSign, UInt32(FFTW_ESTIMATE | FFTW_PRESERVE_INPUT))
        }
        guard let made else { fatalError("FFTW could not plan \(shape)") }
        plan = made
    }

    deinit { fftwPlannerLock.withLock { fftw_destroy_plan(plan) } }

    /// Transforms `input` into `output` (distinct buffers holding at least `shape.span`).
    public func execute(input: FFTAlignedBuffer, output: FFTAlignedBuffer) {
        precondition(input !== output, "FFTBatchPlan runs out of place")
        precondition(input.count >= shape.span && output.count >= shape.span, "FFT buffers smaller than \(shape.span)")
        fftw_execute_dft(
            plan, UnsafeMutableRawPointer(input.pointer).assumingMemoryBound(to: fftw_complex.self),
            UnsafeMutableRawPointer(output.pointer).assumingMemoryBound(to: fftw_complex.self))
    }
}

/// A thread-safe cache of `FFTBatchPlan`s by shape (a run uses one or two shapes per numerology).
public final class FFTBatchPlanCache: @unchecked Sendable {
    public static let shared = FFTBatchPlanCache()
    private let lock = NSLock()
    private var plans: [FFTBatchPlan.Shape: FFTBatchPlan] = [:]

    public init() {}

    public func plan(_ shape: FFTBatchPlan.Shape) -> FFTBatchPlan {
        lock.withLock {
            if let p = plans[shape] { return p }
            let p = FFTBatchPlan(shape: shape)
            plans[shape] = p
            return p
        }
    }

    public var count: Int { lock.withLock { plans.count } }
}
