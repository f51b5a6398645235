import TwinMath
import TwinSensing

extension LocalizationProblem {
    /// The fusion centre's view of one simulated frame: anchors, and each link's echoes after
    /// clock-offset calibration (docs/domain.md §3).
    ///
    /// - Anchors: every base station at its surveyed position (`baseStations`, in the world's
    ///   order, so anchor i is BS i), then every UE that reported a position this frame, at its
    ///   reported (GNSS) position. Links to a UE without a report are left out.
    /// - Calibration, in two steps:
    ///   1. `OffsetCalibration` estimates each bistatic link's offset from its Type I path,
    ///      subtracts it and removes the direct path (`.calibrated`).
    ///   2. The calibrated links form a clock network: each gives δ_rx − δ_tx (m), and nodes
    ///      joined by calibrated links share a clock reference (a spanning forest, breadth
    ///      first from the lowest anchor index). A bistatic link without a Type I path whose two
    ///      nodes lie in one component gets its offset from the network (the path sum, with the
    ///      variances added; `.calibrated`). Otherwise its offset is `.unknown`, one unknown
    ///      per unordered pair of components: every link from the BSs of one synchronised
    ///      cluster into one UE shares its group, as docs/domain.md §3's "one more unknown".
    /// - Links keep their recording ids; echoes keep the measured angles.
    /// - Parameter ueReportVariance: per-axis variance of a UE's reported position, m² (the
    ///   fusion centre's belief about GNSS accuracy; `Anchor.positionVariance`).
    public init(
        frame: FrameObservations, links: [SensingLink], baseStations: [(name: String, position: Vec3)], ueReportVariance: Double = 0
    ) {
        var anchors = baseStations.map { Anchor(name: $0.name, position: $0.position, kind: .baseStation) }
        var ueAnchor: [Int: Int] = [:]
        for report in frame.ueAnchors.sorted(by: { $0.moverId < $1.moverId }) where report.reportedPosition.isFinite {
            ueAnchor[report.moverId] = anchors.count
            anchors.append(
                Anchor(name: "ue\(report.moverId)", position: report.reportedPosition, kind: .ue, positionVariance: ueReportVariance))
        }
        // RIS panels of `.ris` links: monostatic anchors at the panel (RISLocalization).
        let risAnchor = RISLocalization.appendAnchors(links: links, to: &anchors)
        func anchorIndex(_ node: SensingNode) -> Int? {
            switch node {
            case .baseStation(let i): i < baseStations.count ? i : nil
            case .ue(let m): ueAnchor[m]
            }
        }
        let calibrated = OffsetCalibration.calibrate(frame, links: links) { node in
            anchorIndex(node).map { anchors[$0].position }
        }
        var linkOffset: [Int: Offset] = [:]
        for calibration in calibrated.links {
            if let value = calibration.offsetMeters, let variance = calibration.offsetVariance {
                linkOffset[calibration.linkId] = .calibrated(value: value, variance: variance)
            }
        }

        // Clock network over the anchors from the calibrated links.
        var edges = [[(to: Int, offset: Double, variance: Double)]](repeating: [], count: anchors.count)
        for (linkId, offset) in linkOffset.sorted(by: { $0.key < $1.key }) {
            guard case .calibrated(let value, let variance) = offset, let tx = anchorIndex(links[linkId].transmitter),
                let rx = anchorIndex(links[linkId].receiver)
            else { continue }
            // value = φ(rx) − φ(tx)
            edges[tx].append((rx, value, variance))
            edges[rx].append((tx, -value, variance))
        }
        var component = [Int](repeating: -1, count: anchors.count)
        var potential = [Double](repeating: 0, count: anchors.count)
        var potentialVariance = [Double](repeating: 0, count: anchors.count)
        var componentCount = 0
        for root in anchors.indices where component[root] < 0 {
            component[root] = componentCount
            var queue = [root]
            var head = 0
            while head < queue.count {
                let node = queue[head]
                head += 1
                for edge in edges[node] where component[edge.to] < 0 {
                    component[edge.to] = componentCount
                    potential[edge.to] = potential[node] + edge.offset
                    potentialVariance[edge.to] = potentialVariance[node] + edge.variance
                    queue.append(edge.to)
                }
            }
            componentCount += 1
        }

        var groups: [Int: Int] = [:]  // component pair key → group
        var problemLinks: [Link] = []
        var linkIndex: [Int: Int] = [:]
        var networkOffset: [Int: (value: Double, variance: Double)] = [:]
        for linkId in Set(calibrated.measurements.map(\.linkId)).sorted() {
            let link = links[linkId]
            guard let tx = risAnchor[linkId] ?? anchorIndex(link.transmitter), let rx = risAnchor[linkId] ?? anchorIndex(link.receiver)
            else { continue }
            var offset: Offset = .none
            if !link.isMonostatic {
                if let known = linkOffset[linkId] {
                    offset = known
                } else if component[tx] == component[rx] {
                    let value = potential[rx] - potential[tx]
                    let variance = potentialVariance[rx] + potentialVariance[tx]
                    offset = .calibrated(value: value, variance: variance)
                    networkOffset[linkId] = (value, variance)
                } else {
                    let a = Swift.min(component[tx], component[rx])
                    let b = Swift.max(component[tx], component[rx])
                    let key = a * componentCount + b
                    if groups[key] == nil { groups[key] = groups.count }
                    offset = .unknown(group: groups[key]!)
                }
            }
            linkIndex[linkId] = problemLinks.count
            problemLinks.append(Link(id: linkId, transmitter: tx, receiver: rx, offset: offset, echoes: []))
        }
        for m in calibrated.measurements {
            guard let l = linkIndex[m.linkId] else { continue }
            var range = m.range - RISLocalization.bsLegLength(links[m.linkId], baseStations: baseStations)
            var variance = m.rangeVariance
            if let network = networkOffset[m.linkId] {
                range -= network.value
                variance += network.variance
            }
            problemLinks[l].echoes.append(
                Echo(range: Swift.max(range, 0), rangeVariance: variance, arrival: m.arrival, departure: m.departure))
        }
        self.init(anchors: anchors, links: problemLinks)
    }
}

extension Measurement {
    /// The arrival angles as a localisation direction (nil without an azimuth; an elevation
    /// only with both its value and its variance).
    var arrival: LocalizationProblem.Direction? {
        .measured(aoaAzimuth, aoaAzimuthVariance, aoaElevation, aoaElevationVariance)
    }

    /// The departure angles as a localisation direction (as `arrival`).
    var departure: LocalizationProblem.Direction? {
        .measured(aodAzimuth, aodAzimuthVariance, aodElevation, aodElevationVariance)
    }
}

extension LocalizationProblem.Direction {
    /// A measured direction: nil without an azimuth and its variance; an elevation only with
    /// both its value and its variance.
    static func measured(_ az: Double?, _ azVar: Double?, _ el: Double?, _ elVar: Double?) -> Self? {
        guard let az, let azVar else { return nil }
        return Self(azimuth: az, azimuthVariance: azVar, elevation: elVar == nil ? nil : el, elevationVariance: el == nil ? nil : elVar)
    }
}
