import TwinMath
import TwinWorld

/// Settings of the echo association that single-target localisers share.
public struct EchoAssociationSettings: Sendable, Equatable {
    /// Gate on the Mahalanobis distance² between an echo's point and a group (3 dof).
    /// Default 16.27: the 99.9 % quantile of χ²₃.
    public var pointGate: Double
    /// Gate on the normalised innovation² of a range-only or angle-only echo (1 dof per
    /// component). Default 10.83: the 99.9 % quantile of χ²₁.
    public var scalarGate: Double
    /// A group is reported only when echoes of at least this many different links support it
    /// (false alarms and clutter rarely agree across links). At least 1.
    public var minimumLinks: Int

    /// An echo whose own range and angles disagree with its time–angle point beyond the χ²
    /// quantile of this probability (with as many dof as observations beyond three) gives no
    /// point: an NLOS path's departure and arrival angles point at different scatterers.
    /// It can still join a group by range and angles alone. Default 0.999.
    public var echoProbability: Double

    /// Left out, each is what the world file's defaults (`LocalizerSpec.default`) give.
    public init(
        pointGate: Double = chiSquareQuantile(probability: LocalizerSpec.default.gateProbability, degreesOfFreedom: 3),
        scalarGate: Double = chiSquareQuantile(probability: LocalizerSpec.default.gateProbability, degreesOfFreedom: 1),
        minimumLinks: Int = LocalizerSpec.default.minimumLinks, echoProbability: Double = 0.999
    ) {
        self.echoProbability = echoProbability
        self.pointGate = pointGate
        self.scalarGate = scalarGate
        self.minimumLinks = minimumLinks
    }
}

/// Echoes grouped as one target's, with the fused per-echo point as a first estimate.
public struct EchoGroup: Sendable, Equatable {
    /// Every echo of the group, sorted.
    public var members: [EchoRef]
    /// The members that gave a time–angle point (the rest joined by range or angle alone).
    public var pointMembers: [EchoRef]
    /// Information-weighted fusion of the members' `EchoPoint`s (the time–angle estimate).
    public var position: Vec3
    public var covariance: SymmetricMatrix3
    /// Σ over member points of (pᵢ − x)ᵀ Pᵢ⁻¹ (pᵢ − x): χ² with 3(k − 1) dof for k points.
    public var pointResidual: Double
    public var pointCount: Int
    /// Another reported group lies within the point gate of this one: the two may be one
    /// target split or two targets too close to tell apart.
    public var ambiguous: Bool

    /// Distinct links among the members.
    public var linkCount: Int { Set(members.map(\.link)).count }
}

/// Multi-target association of a frame's unlabeled echoes by their time–angle points
/// (docs/domain.md §7.3), one echo per link per target.
///
/// 1. Every echo with a complete direction and a known offset gives an `EchoPoint`, unless its
///    own range and angles disagree with that point (`echoProbability`).
/// 2. Links are taken in order, those between surveyed anchors first. The points of a link are assigned to the groups formed so far by
///    optimal assignment (TwinMath `Assignment`, Crouse's shortest augmenting path) on the
///    Mahalanobis distance² (pᵢ − x_g)ᵀ(Pᵢ + P_g)⁻¹(pᵢ − x_g), pairs beyond `pointGate`
///    forbidden; an assigned point is fused into its group by information weighting, an
///    unassigned point starts a group, except on a link through an anchor with a position
///    error (`Anchor.positionVariance`, a UE) when surveyed links gave points: its loose
///    points would otherwise seed groups from chance pairings. One link therefore never gives a group two echoes:
///    the one-range-per-target constraint.
///    Then groups of two or more links on disjoint links within the point gate of each
///    other are merged (a target the sequential pass split, closest pair first).
/// 3. Echoes without a point (no complete direction, or an unknown clock offset) join by the
///    same per-link assignment on their normalised innovation²: the range (known offset) and
///    each measured angle, predicted at the group's position with its uncertainty, each
///    component gated by `scalarGate`.
/// 4. Groups supported by fewer than `minimumLinks` links are dropped (by fewer than
///    `minimumLinks` links between surveyed anchors, when such links gave points: loose UE
///    points otherwise turn single clutter or NLOS points into targets); the rest are flagged
///    `ambiguous` when another reported group is within the point gate.
///
/// Deterministic for a given problem; it needs angles (a range-only problem has no points).
public enum EchoAssociation {
    public static func groups(_ problem: LocalizationProblem, settings: EchoAssociationSettings = .init()) -> [EchoGroup] {
        run(problem, settings: settings).groups
    }

    /// The groups, the number of echoes that gave a time–angle point, and the links between
    /// surveyed anchors a target needs (`minimumLinks` when such links gave points, else 0):
    /// the rule step 4 applies, which a localiser must keep when it drops links from a group.
    static func run(
        _ problem: LocalizationProblem, settings: EchoAssociationSettings
    ) -> (groups: [EchoGroup], points: Int, minimumSurveyedLinks: Int) {
        var clusters: [Cluster] = []
        var pointCount = 0
        var pending: [EchoRef] = []
        // Links between surveyed anchors first; links through an anchor with a position error
        // (a UE's GNSS report) only join their groups when surveyed links gave any points.
        func anchorVariance(_ link: LocalizationProblem.Link) -> Double {
            problem.anchors[link.receiver].positionVariance
                + (link.isMonostatic ? 0 : problem.anchors[link.transmitter].positionVariance)
        }
        let order = problem.links.indices.filter(problem.isSurveyed) + problem.links.indices.filter { !problem.isSurveyed($0) }
        var surveyedPoints = 0
        for l in order {
            let link = problem.links[l]
            let tx = problem.anchors[link.transmitter].position
            let rx = problem.anchors[link.receiver].position
            let knownOffset: Bool = if case .unknown = link.offset { false } else { true }
            // Anchors' own position errors move the point with them (about one for one).
            let anchorVariance = anchorVariance(link)
            var points: [(ref: EchoRef, point: EchoPoint, information: SymmetricMatrix3)] = []
            for (e, echo) in link.echoes.enumerated() {
                let ref = EchoRef(link: l, echo: e)
                var made = knownOffset ? EchoPoint.make(echo, transmitter: tx, receiver: rx, monostatic: link.isMonostatic) : nil
                if anchorVariance > 0, let point = made {
                    made!.covariance =
                        point.covariance
                        + SymmetricMatrix3(xx: anchorVariance, xy: 0, xz: 0, yy: anchorVariance, yz: 0, zz: anchorVariance)
                }
                if let point = made {
                    // The echo's own consistency with its point.
                    let own = problem.targetObservations([ref], angles: true)
                    let dof = own.count - 3
                    let p = point.position
                    if dof > 0,
                        GeneralNormalEquations(own, [p.x, p.y, p.z]).cost
                            > chiSquareQuantile(probability: settings.echoProbability, degreesOfFreedom: dof)
                    {
                        made = nil
                    }
                }
                if let point = made, let information = point.covariance.inverse {
                    points.append((ref, point, information))
                } else {
                    pending.append(ref)
                }
            }
            guard !points.isEmpty else { continue }
            pointCount += points.count
            if problem.isSurveyed(l) { surveyedPoints += points.count }
            var assignment = [Int?](repeating: nil, count: points.count)
            if !clusters.isEmpty {
                var costs = Matrix(rows: points.count, columns: clusters.count, repeating: .infinity)
                for (i, p) in points.enumerated() {
                    for (c, cluster) in clusters.enumerated() {
                        guard let s = (p.point.covariance + cluster.covariance).inverse else { continue }
                        let d2 = s.quadratic(p.point.position - cluster.position)
                        if d2 <= settings.pointGate { costs[i, c] = d2 }
                    }
                }
                do {
                    let result = Assignment.solve(costs: costs)
                    for (i, c) in result.rowToColumn.enumerated() { assignment[i] = c }
                }
            }
            for (i, p) in points.enumerated() {
                if let c = assignment[i] {
                    clusters[c].add(p.ref, point: p.point, information: p.information)
                } else if !problem.isSurveyed(l) && surveyedPoints > 0 {
                    continue
                } else {
                    clusters.append(Cluster(p.ref, point: p.point, information: p.information))
                }
            }
        }
        guard !clusters.isEmpty else { return ([], 0, 0) }
        mergeSplitGroups(&clusters, gate: settings.pointGate)

        // Echoes without points, link by link.
        joinByScalars(pending, problem: problem, clusters: &clusters, settings: settings)
        // A correct point misses the 3-dof point gate now and then (0.1 % per test at the
        // default gate): a group of one link retries its echo by range and angles.
        if settings.minimumLinks >= 2 {
            let lone = clusters.filter { $0.links.count == 1 }.flatMap(\.members)
            clusters.removeAll { $0.links.count == 1 }
            joinByScalars(lone, problem: problem, clusters: &clusters, settings: settings)
        }

        let minimum = Swift.max(1, settings.minimumLinks)
        let minimumSurveyed = surveyedPoints > 0 ? minimum : 0
        let kept = clusters.filter { cluster in
            cluster.links.count >= minimum && cluster.links.count(where: problem.isSurveyed) >= minimumSurveyed
        }
        let groups = kept.enumerated().map { (k, cluster) in
            let ambiguous = kept.indices.contains { j in
                guard j != k, let s = (cluster.covariance + kept[j].covariance).inverse else { return false }
                return s.quadratic(cluster.position - kept[j].position) <= settings.pointGate
            }
            var residual = 0.0
            for (point, information) in zip(cluster.points, cluster.informations) {
                residual += information.quadratic(point - cluster.position)
            }
            return EchoGroup(
                members: cluster.members.sorted(), pointMembers: cluster.pointMembers.sorted(), position: cluster.position,
                covariance: cluster.covariance,
                pointResidual: residual, pointCount: cluster.points.count, ambiguous: ambiguous)
        }
        return (groups, pointCount, minimumSurveyed)
    }

    /// Step 3: echoes join groups by their range (known offset) and angles, per link by
    /// optimal assignment on the summed normalised innovation², each component gated.
    static func joinByScalars(
        _ pending: [EchoRef], problem: LocalizationProblem, clusters: inout [Cluster], settings: EchoAssociationSettings
    ) {
        var byLink: [Int: [EchoRef]] = [:]
        for ref in pending { byLink[ref.link, default: []].append(ref) }
        for l in byLink.keys.sorted() {
            let refs = byLink[l]!
            let link = problem.links[l]
            let knownOffset: Bool = if case .unknown = link.offset { false } else { true }
            var costs = Matrix(rows: refs.count, columns: clusters.count, repeating: .infinity)
            for (i, ref) in refs.enumerated() {
                let range = problem.rangeObservation(ref)
                let angles = problem.angleObservations(ref)
                for (c, cluster) in clusters.enumerated() where !cluster.links.contains(l) {
                    var total = 0.0
                    var components = 0
                    var inside = true
                    if knownOffset {
                        let g = range.gradient(at: cluster.position)
                        let r = range.value - range.predicted(at: cluster.position)
                        let d2 = r * r / (range.variance + cluster.covariance.quadratic(g))
                        inside = d2 <= settings.scalarGate
                        total += d2
                        components += 1
                    }
                    for angle in angles where inside {
                        let g = angle.gradient(at: cluster.position)
                        let r = angle.innovation(at: cluster.position)
                        let d2 = r * r / (angle.variance + cluster.covariance.quadratic(g))
                        inside = d2 <= settings.scalarGate
                        total += d2
                        components += 1
                    }
                    if inside && components > 0 { costs[i, c] = total }
                }
            }
            let result = Assignment.solve(costs: costs)
            for (i, c) in result.rowToColumn.enumerated() {
                guard let c else { continue }
                clusters[c].members.append(refs[i])
                clusters[c].links.insert(l)
            }
        }
    }

    /// Repairs groups the sequential pass split: two groups of at least two links each, on
    /// disjoint links, within the point gate of each other are one target (closest pair
    /// first). Groups of one link are left alone: that keeps the pass cheap when clutter
    /// makes many of them.
    static func mergeSplitGroups(_ clusters: inout [Cluster], gate: Double) {
        while true {
            let candidates = clusters.indices.filter { clusters[$0].links.count >= 2 }
            var best: (i: Int, j: Int, d2: Double)?
            for (a, i) in candidates.enumerated() {
                for j in candidates[(a + 1)...] where clusters[i].links.isDisjoint(with: clusters[j].links) {
                    guard let s = (clusters[i].covariance + clusters[j].covariance).inverse else { continue }
                    let d2 = s.quadratic(clusters[i].position - clusters[j].position)
                    if d2 <= gate && d2 < best?.d2 ?? .infinity { best = (i, j, d2) }
                }
            }
            guard let best else { return }
            clusters[best.i].absorb(clusters[best.j])
            clusters.remove(at: best.j)
        }
    }

    /// A group under construction, in information form.
    struct Cluster {
        var members: [EchoRef]
        var pointMembers: [EchoRef]
        var links: Set<Int>
        var information: SymmetricMatrix3
        var informationVector: Vec3
        var position: Vec3
        var covariance: SymmetricMatrix3
        var points: [Vec3]
        var informations: [SymmetricMatrix3]

        init(_ ref: EchoRef, point: EchoPoint, information: SymmetricMatrix3) {
            members = [ref]
            pointMembers = [ref]
            links = [ref.link]
            self.information = information
            informationVector = information * point.position
            position = point.position
            covariance = point.covariance
            points = [point.position]
            informations = [information]
        }

        /// Takes in every point of `other` (a group on other links).
        mutating func absorb(_ other: Cluster) {
            let fused = information + other.information
            guard let covariance = fused.inverse else { return }
            members += other.members
            pointMembers += other.pointMembers
            links.formUnion(other.links)
            information = fused
            informationVector += other.informationVector
            self.covariance = covariance
            position = covariance * informationVector
            points += other.points
            informations += other.informations
        }

        mutating func add(_ ref: EchoRef, point: EchoPoint, information: SymmetricMatrix3) {
            absorb(Cluster(ref, point: point, information: information))
        }
    }
}
