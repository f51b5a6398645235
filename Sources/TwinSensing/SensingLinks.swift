import TwinWorld

/// The links of a sensing mode (docs/domain.md §7–8).
///
/// - monostatic: every BS alone;
/// - trp-trp: ordered pairs of BSs of the same operator and carrier within `maxBaseline` (both
///   directions, since each end may transmit; a 28 GHz receiver does not hear 3.5 GHz);
/// - trp-ue: every BS to every UE;
/// - hybrid: trp-trp and trp-ue;
/// - cell-free: every ordered pair of BSs of one operator and carrier within `maxBaseline`,
///   including a BS with itself (all transmit the same waveform at once, so every receiver
///   hears every transmitter).
///
/// Cross-operator pairs (`crossOperator`: a cooperation policy that shares measurements) are
/// always trp-trp links, in cell-free mode too: operators do not transmit one waveform, so a
/// receiver knows which operator's transmitter it hears (cell-free pairs, and so echo
/// mis-attribution, stay within one operator and never move echoes across operators into the
/// inter-operator clock). Their clocks and frames are calibrated by the core fusion centre.
public enum SensingLinks {
    public static func make(
        mode: SensingMode, baseStations: [BaseStationSpec], ueMovers: [Int],
        maxBaseline: Double, crossOperator: Bool = false
    ) -> [SensingLink] {
        var links: [SensingLink] = []
        func add(_ kind: LinkKind, _ tx: SensingNode, _ rx: SensingNode) {
            links.append(SensingLink(id: links.count, kind: kind, transmitter: tx, receiver: rx))
        }
        func pairs(includeSelf: Bool, kind: LinkKind) {
            for (i, a) in baseStations.enumerated() {
                for (j, b) in baseStations.enumerated()
                where (i != j || includeSelf) && a.carrierFrequency == b.carrierFrequency
                    && a.position.distance(to: b.position) <= maxBaseline
                {
                    if a.operatorName == b.operatorName {
                        add(kind, .baseStation(i), .baseStation(j))
                    } else if crossOperator && i != j {
                        add(.trpTrp, .baseStation(i), .baseStation(j))
                    }
                }
            }
        }
        func toUEs() {
            for i in baseStations.indices { for ue in ueMovers { add(.trpUE, .baseStation(i), .ue(ue)) } }
        }
        switch mode {
        case .monostatic:
            for i in baseStations.indices { add(.monostatic, .baseStation(i), .baseStation(i)) }
        case .trpTrp: pairs(includeSelf: false, kind: .trpTrp)
        case .trpUE: toUEs()
        case .hybrid:
            pairs(includeSelf: false, kind: .trpTrp)
            toUEs()
        case .cellFree: pairs(includeSelf: true, kind: .cellFree)
        }
        return links
    }
}
