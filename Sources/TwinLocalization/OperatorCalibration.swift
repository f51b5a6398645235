import TwinMath
import TwinSensing

/// Inter-operator clock calibration at the core fusion centre (docs/domain.md §3: "across
/// operators the same idea calibrates inter-operator clock offsets").
///
/// A cross-operator link from a transmitter of operator A to a receiver of operator B measures
/// every path with c·(δ_rx − δ_tx) added, where each BS clock is its operator's offset Δ plus
/// its own (STO): δ = Δ_op + s. Its Type I path is the shortest path of the pair (every echo
/// and false alarm is at least the baseline long), so (shortest range − baseline) estimates
/// c·(Δ_B − Δ_A) + c·(s_rx − s_tx). Per operator k, every cross link between k and the
/// reference operator gives one such value, signed towards c·(Δ_k − Δ_ref). Links whose direct
/// path is blocked give a larger value (an echo is the shortest) in one direction and a smaller
/// one in the other, so the estimate is a mode: the densest window of `window` metres among the
/// sorted values (the lowest on a tie), and the median of the values in it. Links between two
/// non-reference operators are not used (every operator is calibrated against the reference).
public enum InterOperatorClock {
    /// c·(Δ_k − Δ_ref), metres, per operator (0 for the reference; nil for an operator without
    /// any cross link to the reference this frame).
    /// - Parameters:
    ///   - sites: BS positions as the core knows them (world frame).
    ///   - operatorOfStation: each BS's operator index.
    public static func estimate(
        _ frame: FrameObservations, links: [SensingLink], sites: [Vec3], operatorOfStation: [Int], operatorCount: Int,
        reference: Int, window: Double
    ) -> [Double?] {
        let shortest = shortestPaths(frame, linkCount: links.count)
        var values = [[Double]](repeating: [], count: operatorCount)
        for link in links where shortest[link.id] >= 0 {
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, i != j else { continue }
            let (a, b) = (operatorOfStation[i], operatorOfStation[j])
            guard a != b, a == reference || b == reference else { continue }
            let value = frame.measurements[shortest[link.id]].range - sites[i].distance(to: sites[j])
            if a == reference { values[b].append(value) } else { values[a].append(-value) }
        }
        return (0..<operatorCount).map { k in
            k == reference ? 0 : mode(values[k], window: window)
        }
    }

    /// The median of the densest `window`-wide run of `values` (the lowest such run on a tie);
    /// nil for no values.
    public static func mode(_ values: [Double], window: Double) -> Double? {
        let v = values.sorted()
        guard !v.isEmpty else { return nil }
        var (best, bestCount) = (0, 0)
        var end = 0
        for start in v.indices {
            if end < start { end = start }
            while end + 1 < v.count && v[end + 1] - v[start] <= window { end += 1 }
            if end - start + 1 > bestCount { (best, bestCount) = (start, end - start + 1) }
        }
        return median(v[best..<(best + bestCount)])
    }
}

/// Index into `frame.measurements` of each link's shortest-range measurement (the first on a
/// tie; −1 for a link without any): a cross-operator pair's Type I path candidate.
func shortestPaths(_ frame: FrameObservations, linkCount: Int) -> [Int] {
    var shortest = [Int](repeating: -1, count: linkCount)
    for (k, m) in frame.measurements.enumerated() where shortest[m.linkId] < 0 || m.range < frame.measurements[shortest[m.linkId]].range {
        shortest[m.linkId] = k
    }
    return shortest
}

/// The median of sorted values (the mean of the middle two for an even count); nil when empty.
func median(_ sorted: ArraySlice<Double>) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let mid = sorted.startIndex + sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid])
}

extension LocalizationProblem {
    /// The core fusion centre's problem when some links are taken as synchronised: links for
    /// which `synchronised(linkId)` holds keep their measured ranges with offset `.none` (no
    /// Type I calibration: their direct paths stay among the echoes), every other link is
    /// calibrated as in `init(frame:links:baseStations:ueReportVariance:)`. Links stay ordered
    /// by id; anchors are the same (base stations, then reporting UEs).
    public init(
        frame: FrameObservations, links: [SensingLink], baseStations: [(name: String, position: Vec3)], ueReportVariance: Double,
        synchronised: (Int) -> Bool
    ) {
        var calibrated = frame
        calibrated.measurements = frame.measurements.filter { !synchronised($0.linkId) }
        self.init(frame: calibrated, links: links, baseStations: baseStations, ueReportVariance: ueReportVariance)
        var extra: [Int: Link] = [:]
        for m in frame.measurements where synchronised(m.linkId) {
            guard case .baseStation(let i) = links[m.linkId].transmitter, case .baseStation(let j) = links[m.linkId].receiver,
                i < baseStations.count, j < baseStations.count
            else { continue }
            extra[m.linkId, default: Link(id: m.linkId, transmitter: i, receiver: j, offset: .none, echoes: [])].echoes.append(
                Echo(range: Swift.max(m.range, 0), rangeVariance: m.rangeVariance, arrival: m.arrival, departure: m.departure))
        }
        guard !extra.isEmpty else { return }
        self.links = (self.links + extra.values).sorted { $0.id < $1.id }
    }
}

/// Operator frame rotation from the angles of cross-operator Type I paths (docs/domain.md §8): a
/// direct path between a site i of the reference operator and a site j of operator k arrives
/// at j from the known world direction of i, so the azimuth j reports (in its frame) is that
/// world azimuth minus θ_k; likewise a departure at a transmitting site of k. Every such
/// path gives one value of θ_k; the estimate is their median. A path counts as Type I when it
/// is the link's shortest range and lies within `window` metres of the baseline plus the
/// estimated clock offset c·(Δ_rx − Δ_tx) (`InterOperatorClock`).
///
/// The core registers frames from the known sites (`FrameTransform.procrustes`), which is
/// exact when sites are surveyed without error; this estimate needs no reported sites and
/// checks that registration against the radio (it agrees to the angle noise: tested).
public enum InterOperatorFrame {
    /// θ_k − θ_ref per operator, radians (0 for the reference; nil without a usable path).
    public static func rotation(
        _ frame: FrameObservations, links: [SensingLink], sites: [Vec3], operatorOfStation: [Int], operatorCount: Int,
        reference: Int, clockOffsets: [Double?], window: Double
    ) -> [Double?] {
        let shortest = shortestPaths(frame, linkCount: links.count)
        var values = [[Double]](repeating: [], count: operatorCount)
        for link in links where shortest[link.id] >= 0 {
            guard case .baseStation(let i) = link.transmitter, case .baseStation(let j) = link.receiver, i != j else { continue }
            let (a, b) = (operatorOfStation[i], operatorOfStation[j])
            guard a != b, a == reference || b == reference, let da = clockOffsets[a], let db = clockOffsets[b] else { continue }
            let m = frame.measurements[shortest[link.id]]
            guard abs(m.range - sites[i].distance(to: sites[j]) - (db - da)) <= window else { continue }
            if b != reference, let az = m.aoaAzimuth {
                values[b].append(wrapAngle((sites[i] - sites[j]).azimuth - az))
            }
            if a != reference, let az = m.aodAzimuth {
                values[a].append(wrapAngle((sites[j] - sites[i]).azimuth - az))
            }
        }
        return (0..<operatorCount).map { k in
            k == reference ? 0 : median(values[k].sorted()[...])
        }
    }
}
