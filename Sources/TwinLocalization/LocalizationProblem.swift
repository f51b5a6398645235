import TwinMath

/// One frame of unlabeled measurements as a fusion centre sees it: anchors at known (or
/// reported) positions and, per sensing link, the echoes heard on it (docs/domain.md §2, §3, §7).
///
/// This is the input of every `Localizer`. It is built from the simulator's observations
/// (`LocalizationProblem.init(frame:links:baseStations:)`, after clock-offset calibration) or
/// from a measurement file (`isac-twin localize`), so a localiser never sees truth and never
/// depends on the world model.
public struct LocalizationProblem: Sendable, Equatable {
    /// A transmitter or receiver.
    public struct Anchor: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable, Codable {
            /// A base station / TRP at a surveyed position.
            case baseStation
            /// A UE whose position is its own (GNSS) report and may be badly wrong.
            case ue
            /// A RIS panel at a surveyed position: the monostatic end of a RIS link (its BS's
            /// leg subtracted from the range, the angle measured at the panel).
            case ris
        }

        public var name: String
        public var position: Vec3
        public var kind: Kind
        /// Variance of the position per axis, m² (0 for a surveyed site; a UE's GNSS error).
        /// It is added to the variance of every range through the anchor (the range moves by
        /// the error projected on the line of sight) and, divided by the squared distance
        /// (the one-way range, or half the sum range), to the variance of its angles.
        public var positionVariance: Double

        public init(name: String, position: Vec3, kind: Kind = .baseStation, positionVariance: Double = 0) {
            self.name = name
            self.position = position
            self.kind = kind
            self.positionVariance = positionVariance
        }
    }

    /// A measured direction (world frame, radians): the azimuth and, when the array resolves
    /// it, the elevation of the direction from the anchor towards the echo's source.
    public struct Direction: Sendable, Equatable {
        public var azimuth: Double
        public var azimuthVariance: Double
        public var elevation: Double?
        public var elevationVariance: Double?

        public init(azimuth: Double, azimuthVariance: Double, elevation: Double? = nil, elevationVariance: Double? = nil) {
            self.azimuth = azimuth
            self.azimuthVariance = azimuthVariance
            self.elevation = elevation
            self.elevationVariance = elevationVariance
        }

        /// True when both angles are present: the direction is a full unit vector.
        public var isComplete: Bool { elevation != nil && elevationVariance != nil }

        /// The unit vector, when complete.
        public var unitVector: Vec3? {
            guard let elevation, isComplete else { return nil }
            return Vec3.unit(azimuth: azimuth, elevation: elevation)
        }
    }

    /// One path heard on a link: the one-way range (monostatic link) or the sum range
    /// |x − tx| + |x − rx| (bistatic link, after the link's offset was removed when known),
    /// with optional angle of arrival at the receiver and angle of departure at the transmitter.
    public struct Echo: Sendable, Equatable {
        public var range: Double
        public var rangeVariance: Double
        public var arrival: Direction?
        public var departure: Direction?

        public init(range: Double, rangeVariance: Double, arrival: Direction? = nil, departure: Direction? = nil) {
            self.range = range
            self.rangeVariance = rangeVariance
            self.arrival = arrival
            self.departure = departure
        }
    }

    /// What is known of a link's clock offset (docs/domain.md §3).
    public enum Offset: Sendable, Equatable {
        /// No offset: a monostatic link, synchronised nodes, or ranges already corrected.
        case none
        /// Estimated from the link's Type I path and already subtracted from its echoes
        /// (`value` m, `variance` m²; the variance is already added to every echo's).
        case calibrated(value: Double, variance: Double)
        /// Unknown: estimated jointly with the target position; links with the same `group`
        /// share one unknown (e.g. every link into one UE whose timing offset is unknown).
        case unknown(group: Int)
    }

    public struct Link: Sendable, Equatable {
        /// An identifier carried through to `Localization.links` (the recording's link id).
        public var id: Int
        /// Index into `anchors`.
        public var transmitter: Int
        /// Index into `anchors` (equal to `transmitter` for a monostatic link).
        public var receiver: Int
        public var offset: Offset
        public var echoes: [Echo]

        public init(id: Int, transmitter: Int, receiver: Int, offset: Offset = .none, echoes: [Echo]) {
            self.id = id
            self.transmitter = transmitter
            self.receiver = receiver
            self.offset = offset
            self.echoes = echoes
        }

        public var isMonostatic: Bool { transmitter == receiver }
    }

    public var anchors: [Anchor]
    public var links: [Link]

    public init(anchors: [Anchor], links: [Link]) {
        self.anchors = anchors
        self.links = links
    }

    /// Number of distinct unknown offset groups (one past the largest group index).
    public var offsetGroupCount: Int {
        links.reduce(0) { count, link in
            if case .unknown(let g) = link.offset { return Swift.max(count, g + 1) }
            return count
        }
    }

    /// Number of echoes over all links.
    public var echoCount: Int { links.reduce(0) { $0 + $1.echoes.count } }

    /// Checks indices and values: every anchor finite, every link's anchors in range, every
    /// echo's range finite and non-negative with a finite positive variance, angles finite
    /// with finite positive variances, offset groups non-negative.
    public func validate() throws(ProblemError) {
        for (i, anchor) in anchors.enumerated() where !anchor.position.isFinite {
            throw .invalid("anchor \(i) (\(anchor.name)): position is not finite")
        }
        for (i, anchor) in anchors.enumerated() where !(anchor.positionVariance.isFinite && anchor.positionVariance >= 0) {
            throw .invalid("anchor \(i) (\(anchor.name)): position variance \(anchor.positionVariance) is not a finite value ≥ 0")
        }
        for (l, link) in links.enumerated() {
            let name = "link \(l) (id \(link.id))"
            guard anchors.indices.contains(link.transmitter) else {
                throw .invalid("\(name): transmitter index \(link.transmitter) outside 0..<\(anchors.count)")
            }
            guard anchors.indices.contains(link.receiver) else {
                throw .invalid("\(name): receiver index \(link.receiver) outside 0..<\(anchors.count)")
            }
            if case .unknown(let g) = link.offset, g < 0 { throw .invalid("\(name): offset group \(g) is negative") }
            if case .calibrated(let v, let s) = link.offset, !v.isFinite || !s.isFinite || s < 0 {
                throw .invalid("\(name): calibrated offset must be finite with a non-negative variance")
            }
            for (e, echo) in link.echoes.enumerated() {
                let where_ = "\(name), echo \(e)"
                guard echo.range.isFinite else { throw .invalid("\(where_): range is not finite") }
                guard echo.range >= 0 else { throw .invalid("\(where_): range must be non-negative, got \(echo.range)") }
                guard echo.rangeVariance.isFinite, echo.rangeVariance > 0 else {
                    throw .invalid("\(where_): range variance must be finite and positive, got \(echo.rangeVariance)")
                }
                for (label, direction) in [("arrival", echo.arrival), ("departure", echo.departure)] {
                    guard let direction else { continue }
                    guard direction.azimuth.isFinite, direction.azimuthVariance.isFinite, direction.azimuthVariance > 0 else {
                        throw .invalid("\(where_): \(label) azimuth and its variance must be finite, variance positive")
                    }
                    if (direction.elevation == nil) != (direction.elevationVariance == nil) {
                        throw .invalid("\(where_): \(label) elevation needs both a value and a variance")
                    }
                    if let el = direction.elevation, let v = direction.elevationVariance {
                        guard el.isFinite, abs(el) <= .pi / 2 + 1e-12, v.isFinite, v > 0 else {
                            throw .invalid(
                                "\(where_): \(label) elevation must lie in [−π/2, π/2] with a finite positive variance, got \(el)")
                        }
                    }
                }
            }
        }
    }
}

/// A problem that cannot be localised as given.
public enum ProblemError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

/// A reference to one echo of a problem: link index (into `links`) and echo index.
public struct EchoRef: Sendable, Hashable, Comparable {
    public var link: Int
    public var echo: Int
    public init(link: Int, echo: Int) {
        self.link = link
        self.echo = echo
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.link, lhs.echo) < (rhs.link, rhs.echo) }
}

extension LocalizationProblem {
    /// The range observation of an echo (monostatic one-way range or bistatic sum range).
    func rangeObservation(_ ref: EchoRef) -> RangeObservation {
        let link = links[ref.link]
        let echo = link.echoes[ref.echo]
        if link.isMonostatic {
            return .monostatic(
                anchor: anchors[link.transmitter].position, range: echo.range,
                variance: echo.rangeVariance + anchors[link.transmitter].positionVariance)
        }
        return .bistatic(
            transmitter: anchors[link.transmitter].position, receiver: anchors[link.receiver].position, sumRange: echo.range,
            variance: echo.rangeVariance + anchors[link.transmitter].positionVariance + anchors[link.receiver].positionVariance)
    }

    /// The angle observations of an echo (arrival at the receiver, departure at the transmitter).
    func angleObservations(_ ref: EchoRef) -> [AngleObservation] {
        let link = links[ref.link]
        let echo = link.echoes[ref.echo]
        var out: [AngleObservation] = []
        let distance = Swift.max(link.isMonostatic ? echo.range : echo.range / 2, 1)
        func add(_ direction: Direction?, at anchor: Int) {
            guard let direction else { return }
            let a = anchors[anchor].position
            let extra = anchors[anchor].positionVariance / (distance * distance)
            out.append(
                AngleObservation(anchor: a, component: .azimuth, value: direction.azimuth, variance: direction.azimuthVariance + extra))
            if let el = direction.elevation, let v = direction.elevationVariance {
                out.append(AngleObservation(anchor: a, component: .elevation, value: el, variance: v + extra))
            }
        }
        add(echo.arrival, at: link.receiver)
        add(echo.departure, at: link.transmitter)
        return out
    }

    /// Whether both ends of link `l` are surveyed (no anchor position variance).
    func isSurveyed(_ l: Int) -> Bool {
        anchors[links[l].transmitter].positionVariance == 0 && anchors[links[l].receiver].positionVariance == 0
    }

    /// Distinct links of `refs` between surveyed anchors.
    func surveyedLinkCount(_ refs: [EchoRef]) -> Int { Set(refs.map(\.link)).count(where: isSurveyed) }

    /// The observations of a group of echoes for a joint fit: every range (with its link's
    /// unknown offset group renumbered densely) and, when `angles`, every angle.
    func targetObservations(_ refs: [EchoRef], angles: Bool) -> TargetObservations {
        var ranges: [RangeObservation] = []
        var groups: [Int?] = []
        var angleList: [AngleObservation] = []
        var dense: [Int: Int] = [:]
        for ref in refs {
            ranges.append(rangeObservation(ref))
            if case .unknown(let g) = links[ref.link].offset {
                if dense[g] == nil { dense[g] = dense.count }
                groups.append(dense[g])
            } else {
                groups.append(nil)
            }
            if angles { angleList += angleObservations(ref) }
        }
        return TargetObservations(ranges: ranges, offsetGroup: groups, angles: angleList, offsetCount: dense.count)
    }
}
