import TwinMath

/// Which base stations illuminate what this frame (README "Sensing clusters and handover").
///
/// Each base station points beams at the predicted positions of the tracks its clusters
/// serve; a beam covers a sphere of `radius` around its centre. An echo of a mover on a link
/// (transmitter i, receiver j) is produced only when the mover lies in a beam of i and — for a
/// base-station receiver other than i — in a beam of j. Direct paths, clutter and background
/// reflectors are unaffected. No schedule (nil) means every base station senses everywhere
/// (a search frame, or handover off).
public struct SensingSchedule: Sendable, Equatable {
    public struct Beam: Sendable, Equatable {
        public var center: Vec3
        public var radius: Double

        public init(center: Vec3, radius: Double) {
            self.center = center
            self.radius = radius
        }
    }

    /// Beams of each base station, by BS index.
    public var beams: [[Beam]]

    public init(beams: [[Beam]]) { self.beams = beams }

    /// The beams of both schedules, per base station (`self`'s first): under the edge
    /// cooperation policies each operator schedules its own BSs, and the frame's schedule is
    /// the union of the operators'.
    public func merged(with other: SensingSchedule) -> SensingSchedule {
        let n = max(beams.count, other.beams.count)
        return SensingSchedule(
            beams: (0..<n).map { b in (b < beams.count ? beams[b] : []) + (b < other.beams.count ? other.beams[b] : []) })
    }

    /// Whether base station `bs` illuminates `p`.
    public func illuminates(_ bs: Int, _ p: Vec3) -> Bool {
        guard bs < beams.count else { return false }
        return beams[bs].contains { $0.center.distance(to: p) <= $0.radius }
    }

    /// Row-major mask [bs × mover] of `illuminates(bs, movers[m])`.
    func mask(baseStations: Int, movers: [Vec3]) -> [Bool] {
        var lit = [Bool](repeating: false, count: baseStations * movers.count)
        for b in 0..<baseStations {
            for (m, p) in movers.enumerated() { lit[b * movers.count + m] = illuminates(b, p) }
        }
        return lit
    }
}

extension SensingEngine {
    /// Whether mover `t` is in a beam of the link's transmitting BS and, for a base-station
    /// receiver, of its receiving BS (`lit`: the [BS × mover] mask of the frame's schedule). A
    /// RIS link counts as its BS's: the BS steers the panel towards the targets it serves.
    @inline(__always)
    static func inBeams(_ lit: [Bool], _ link: SensingLink, _ t: Int, _ movers: Int) -> Bool {
        guard case .baseStation(let i) = link.transmitter, lit[i * movers + t] else { return false }
        guard link.panel == nil, case .baseStation(let j) = link.receiver else { return true }
        return lit[j * movers + t]
    }
}
