import TwinMath
import TwinSensing

/// What calibration learned about one link.
public struct LinkCalibration: Sendable, Equatable {
    public var linkId: Int
    /// Estimated clock offset of the link in metres, c·(δ_rx − δ_tx); nil when the link has no
    /// usable Type I path (offset then has to be estimated jointly with the position).
    public var offsetMeters: Double?
    /// Variance of the estimate, m² (the direct path's range variance).
    public var offsetVariance: Double?
}

/// One frame's measurements after clock-offset calibration.
public struct CalibratedFrame: Sendable, Equatable {
    /// Measurements with each calibrated link's offset subtracted, direct paths removed.
    /// Measurements of uncalibrated links are kept as measured.
    public var measurements: [Measurement]
    /// Whether each measurement (same order) had its offset removed.
    public var calibrated: [Bool]
    /// One entry per bistatic link of the frame, ordered by link id.
    public var links: [LinkCalibration]
}

/// Clock-offset calibration from Type I paths (docs/domain.md §3).
///
/// Between a transmitter i and a receiver j the direct path is the shortest path of the pair
/// and its true length |p_i − p_j| is known from the anchors' positions, so
/// δ_ij·c = r̂_direct − |p_i − p_j|. The direct path is taken as the shortest measured range on
/// the link within `maxOffset` of the baseline (5G keeps |STO| under ~130 ns, ≈ 39 m).
/// Subtracting the estimate from every other range of the link removes the offset; the
/// estimate's own error (the direct path's range noise) is added to their variances.
///
/// A UE receiver's position is its GNSS report, so a UE link's calibration absorbs the GNSS
/// error along the baseline: exactly the error a fusion centre would make. Cell-free links are
/// calibrated like the others: direct paths are identified by their known geometry, so they
/// stay on their own link even when target echoes are mis-attributed.
public enum OffsetCalibration {
    public static let defaultMaxOffset = 130e-9 * 299_792_458.0

    /// - Parameter position: where the fusion centre believes a node is (BS sites; UEs' reports).
    public static func calibrate(
        _ frame: FrameObservations, links: [SensingLink], position: (SensingNode) -> Vec3?,
        maxOffset: Double = defaultMaxOffset
    ) -> CalibratedFrame {
        var best: [Int: (index: Int, range: Double)] = [:]
        var baselines: [Int: Double] = [:]
        for (k, m) in frame.measurements.enumerated() {
            let link = links[m.linkId]
            guard !link.isMonostatic else { continue }
            let baseline: Double
            if let b = baselines[m.linkId] {
                baseline = b
            } else {
                guard let tx = position(link.transmitter), let rx = position(link.receiver) else { continue }
                baseline = tx.distance(to: rx)
                baselines[m.linkId] = baseline
            }
            guard abs(m.range - baseline) <= maxOffset else { continue }
            if m.range < best[m.linkId]?.range ?? .infinity { best[m.linkId] = (k, m.range) }
        }
        var calibrations: [LinkCalibration] = []
        var offset: [Int: (value: Double, variance: Double)] = [:]
        for linkId in Set(frame.measurements.map(\.linkId)).sorted() where !links[linkId].isMonostatic {
            if let direct = best[linkId], let baseline = baselines[linkId] {
                let m = frame.measurements[direct.index]
                offset[linkId] = (m.range - baseline, m.rangeVariance)
                calibrations.append(LinkCalibration(linkId: linkId, offsetMeters: m.range - baseline, offsetVariance: m.rangeVariance))
            } else {
                calibrations.append(LinkCalibration(linkId: linkId, offsetMeters: nil, offsetVariance: nil))
            }
        }
        let directIndices = Set(best.values.map(\.index))
        var measurements: [Measurement] = []
        var calibrated: [Bool] = []
        measurements.reserveCapacity(frame.measurements.count)
        for (k, m) in frame.measurements.enumerated() where !directIndices.contains(k) {
            var corrected = m
            if let o = offset[m.linkId] {
                corrected.range -= o.value
                corrected.rangeVariance += o.variance
                calibrated.append(true)
            } else {
                calibrated.append(links[m.linkId].isMonostatic)  // a monostatic link has no offset
            }
            measurements.append(corrected)
        }
        return CalibratedFrame(measurements: measurements, calibrated: calibrated, links: calibrations)
    }
}
