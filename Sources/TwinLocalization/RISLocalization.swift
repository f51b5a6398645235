import TwinMath
import TwinSensing

/// How the fusion centre uses RIS links (docs/domain.md §7 item 6): a `.ris` link of a BS through a
/// panel becomes a monostatic link whose anchor is the panel (`Anchor.Kind.ris`, surveyed
/// position), with the one-way range r − |BS − RIS| (r the reported range, half the path
/// 2|BS − RIS| + 2|RIS − target|: exact range subtraction) and the arrival angle measured
/// at the panel. Every localiser then handles it as any monostatic range + angle: a position
/// fix at RIS + range · u(θ).
enum RISLocalization {
    /// Appends one anchor per RIS link (named "ris:NAME") and returns, by link id, its index.
    static func appendAnchors(links: [SensingLink], to anchors: inout [LocalizationProblem.Anchor]) -> [Int: Int] {
        var index: [Int: Int] = [:]
        for link in links {
            guard let panel = link.panel else { continue }
            index[link.id] = anchors.count
            anchors.append(LocalizationProblem.Anchor(name: "ris:\(panel.name)", position: panel.position, kind: .ris))
        }
        return index
    }

    /// |BS − RIS| for a RIS link (the part of its reported range the target does not change);
    /// 0 for any other link.
    static func bsLegLength(_ link: SensingLink, baseStations: [(name: String, position: Vec3)]) -> Double {
        guard let panel = link.panel, case .baseStation(let i) = link.transmitter, baseStations.indices.contains(i) else { return 0 }
        return baseStations[i].position.distance(to: panel.position)
    }
}
