/// Counts of one frame.
struct FrameCounts: Sendable {
    /// Link–target pairs with both legs within range.
    var pairs = 0
    /// …of which both legs are in line of sight.
    var losPairs = 0
    /// Type II echoes detected.
    var detections = 0
    /// Clutter false alarms.
    var clutter = 0
}

/// Running statistics of a sensing run, for the summary: detections per frame, the fraction
/// of link–target pairs in line of sight, and the SNR distribution of detected target echoes
/// (a histogram with 0.5 dB bins from −20 to 100 dB, so percentiles cost no memory per frame).
public struct SensingStatistics: Sendable, Equatable, Codable {
    public private(set) var frames = 0
    public private(set) var pairs = 0
    public private(set) var losPairs = 0
    public private(set) var detections = 0
    public private(set) var clutter = 0
    public private(set) var measurements = 0
    var lastFrameMeasurements = 0
    private var histogram = [Int](repeating: 0, count: 240)
    static let lowestDb = -20.0, binDb = 0.5

    mutating func add(_ counts: FrameCounts, measurements: Int) {
        frames += 1
        pairs += counts.pairs
        losPairs += counts.losPairs
        detections += counts.detections
        clutter += counts.clutter
        self.measurements += measurements
        lastFrameMeasurements = measurements
    }

    mutating func recordSNR(_ db: Double) {
        let bin = Int(((db - Self.lowestDb) / Self.binDb).rounded(.down))
        histogram[min(max(bin, 0), histogram.count - 1)] += 1
    }

    public var detectionsPerFrame: Double { frames > 0 ? Double(detections) / Double(frames) : 0 }
    public var measurementsPerFrame: Double { frames > 0 ? Double(measurements) / Double(frames) : 0 }
    /// Fraction of link–target pairs (both legs within range) with both legs in line of sight.
    public var lineOfSightFraction: Double { pairs > 0 ? Double(losPairs) / Double(pairs) : 0 }

    /// SNR (dB) below which a fraction q of detected target echoes lie (bin upper edge), or nil.
    public func snrPercentile(_ q: Double) -> Double? {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return nil }
        let target = q * Double(total)
        var running = 0
        for (i, n) in histogram.enumerated() {
            running += n
            if Double(running) >= target { return Self.lowestDb + Double(i + 1) * Self.binDb }
        }
        return Self.lowestDb + Double(histogram.count) * Self.binDb
    }
}
