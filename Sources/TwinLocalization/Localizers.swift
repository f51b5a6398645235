import TwinMath
import TwinWorld

/// The association front end the single-target localisers share: which echoes belong to one
/// target, with a first position where one is known.
///
/// 1. When any echo has a time–angle point, `EchoAssociation` (angles and ranges, one echo per
///    link per target).
/// 2. Otherwise, when every link has at most one echo, the whole problem is one target (the
///    usual offline case: one range per anchor).
/// 3. Otherwise (ranges only, several echoes per link), the joint association of docs/domain.md
///    §7.4 on the base stations' monostatic and sum ranges decides the groups.
struct TargetHypothesis {
    var members: [EchoRef]
    var pointMembers: [EchoRef]
    var seed: Vec3?
    var seedCovariance: SymmetricMatrix3?
    var pointResidual: Double
    var ambiguous: Bool
    /// Links between surveyed anchors the final fit must keep (the association's rule when
    /// UE-anchored links are only trusted to join targets surveyed links found).
    var minimumSurveyedLinks = 0
}

func hypotheses(_ problem: LocalizationProblem, settings: LocalizerSettings) -> [TargetHypothesis] {
    let (groups, points, minimumSurveyed) = EchoAssociation.run(problem, settings: settings.association)
    if points > 0 {
        return groups.map {
            TargetHypothesis(
                members: $0.members, pointMembers: $0.pointMembers, seed: $0.position, seedCovariance: $0.covariance,
                pointResidual: $0.pointResidual, ambiguous: $0.ambiguous, minimumSurveyedLinks: minimumSurveyed)
        }
    }
    if problem.links.allSatisfy({ $0.echoes.count <= 1 }) {
        var members: [EchoRef] = []
        for (l, link) in problem.links.enumerated() where !link.echoes.isEmpty { members.append(EchoRef(link: l, echo: 0)) }
        guard !members.isEmpty else { return [] }
        return [TargetHypothesis(members: members, pointMembers: [], seed: nil, seedCovariance: nil, pointResidual: 0, ambiguous: false)]
    }
    return JointLocalizer.associate(problem, settings: settings.joint).targets.map {
        TargetHypothesis(
            members: $0.members, pointMembers: [], seed: $0.target.estimate.position, seedCovariance: nil, pointResidual: 0,
            ambiguous: $0.target.ambiguous)
    }
}

extension LocalizationProblem {
    /// Ids of the links of `refs`, ascending and unique.
    func linkIds(_ refs: [EchoRef]) -> [Int] { Array(Set(refs.map { links[$0.link].id })).sorted() }

    /// Whether any echo of `refs` comes from a link whose offset was calibrated.
    func anyCalibrated(_ refs: [EchoRef]) -> Bool {
        refs.contains { if case .calibrated = links[$0.link].offset { true } else { false } }
    }

    /// A starting point from the ranges of `refs` whose offset is known (closed forms of
    /// `LinearInitializer`), or the anchors' centroid when they do not fix one.
    func rangeStart(_ refs: [EchoRef], preferredZ: Double?) -> Vec3 {
        let known = refs.filter { if case .unknown = links[$0.link].offset { false } else { true } }.map(rangeObservation)
        if !known.isEmpty { return LinearInitializer.guess(known, preferredZ: preferredZ).position }
        var sum = Vec3.zero
        for ref in refs {
            let link = links[ref.link]
            sum += anchors[link.transmitter].position + anchors[link.receiver].position
        }
        return refs.isEmpty ? .zero : sum / Double(2 * refs.count)
    }
}

/// Gauss–Newton localisers: maximum likelihood with angles (`gauss-newton`), delay-only
/// ellipsoids (`ellipsoid`) and UE anchor selection (`ue-selection`).
struct GaussNewtonLocalizer: Localizer {
    enum Mode { case angles, delayOnly, ueSelection }
    let settings: LocalizerSettings
    let mode: Mode

    var name: String {
        switch mode {
        case .angles: "gauss-newton"
        case .delayOnly: "ellipsoid"
        case .ueSelection: "ue-selection"
        }
    }

    func localize(_ problem: LocalizationProblem) throws(ProblemError) -> LocalizationResult {
        try problem.validate()
        var out: [Localization] = []
        var rejected = 0
        for hypothesis in hypotheses(problem, settings: settings) {
            if let localization = fit(problem, hypothesis) {
                out.append(localization)
            } else {
                rejected += 1
            }
        }
        return LocalizationResult(localizations: out, rejected: rejected)
    }

    /// Up to this many links, dropping tries every link (one fit each).
    static let exhaustiveDropLinks = 8

    /// Whether the fit's residual passes the χ² test at `residualProbability`.
    private func consistent(_ estimate: PositionEstimate) -> Bool {
        estimate.degreesOfFreedom <= 0
            || estimate.residual
                <= chiSquareQuantile(probability: settings.residualProbability, degreesOfFreedom: estimate.degreesOfFreedom)
    }

    /// One fit of `members`; nil when it cannot be made.
    private func solve(
        _ problem: LocalizationProblem, _ members: [EchoRef], seed: Vec3?
    ) -> (estimate: PositionEstimate, offsetCount: Int)? {
        let angles = mode != .delayOnly
        let observations = problem.targetObservations(members, angles: angles)
        let start: Vec3
        if mode == .delayOnly || seed == nil {
            start = problem.rangeStart(members, preferredZ: seed?.z)
        } else {
            start = seed!
        }
        guard let (estimate, _) = try? GaussNewton.solve(observations, initial: start),
            estimate.position.isFinite, estimate.covariance.isFinite, estimate.residual.isFinite
        else { return nil }
        return (estimate, observations.offsetCount)
    }

    private func fit(_ problem: LocalizationProblem, _ hypothesis: TargetHypothesis) -> Localization? {
        var members = hypothesis.members
        guard var best = solve(problem, members, seed: hypothesis.seed) else { return nil }
        var dropped: [String] = []
        if mode == .ueSelection {
            // docs/domain.md §7.5: drop the UE whose removal lowers the residual most, while that is
            // significant and enough observations remain.
            while true {
                let ues = Set(
                    members.flatMap { ref -> [Int] in
                        let link = problem.links[ref.link]
                        return [link.transmitter, link.receiver].filter { problem.anchors[$0].kind == .ue }
                    }
                ).sorted()
                var candidate: (ue: Int, members: [EchoRef], fit: (estimate: PositionEstimate, offsetCount: Int), gain: Double)?
                for ue in ues {
                    let rest = members.filter {
                        let link = problem.links[$0.link]
                        return link.transmitter != ue && link.receiver != ue
                    }
                    guard Set(rest.map(\.link)).count >= 2, let fit = solve(problem, rest, seed: best.estimate.position),
                        fit.estimate.degreesOfFreedom >= 1, !fit.estimate.flags.contains(.underdetermined)
                    else { continue }
                    let removed = best.estimate.degreesOfFreedom - fit.estimate.degreesOfFreedom
                    let gain = best.estimate.residual - fit.estimate.residual
                    guard removed >= 1, gain > chiSquareQuantile(probability: settings.dropProbability, degreesOfFreedom: removed)
                    else { continue }
                    if gain > candidate?.gain ?? -.infinity { candidate = (ue, rest, fit, gain) }
                }
                guard let candidate else { break }
                members = candidate.members
                best = candidate.fit
                dropped.append(problem.anchors[candidate.ue].name)
            }
        }
        // Consistency: a fit that fails the χ² residual test is not one target seen by all its
        // links (an NLOS echo or clutter joined it). Links are dropped until the test passes;
        // a group that never passes is rejected, not reported. With few links the dropped one
        // is the link whose removal fits best (a bad range spreads its error over the others
        // when redundancy is low); with many, the one with the largest normalised residual at
        // the current fit (ranges of unknown-offset links left out of the ranking, their offset
        // being fitted), one refit per drop.
        while !consistent(best.estimate) {
            let linkSet = Set(members.map(\.link)).sorted()
            guard linkSet.count > Swift.max(2, settings.association.minimumLinks) else { return nil }
            let x = best.estimate.position
            if linkSet.count <= Self.exhaustiveDropLinks {
                var candidate: (members: [EchoRef], fit: (estimate: PositionEstimate, offsetCount: Int))?
                for link in linkSet {
                    let rest = members.filter { $0.link != link }
                    guard let fit = solve(problem, rest, seed: x), fit.estimate.degreesOfFreedom >= 1 else { continue }
                    if fit.estimate.residual < candidate?.fit.estimate.residual ?? .infinity { candidate = (rest, fit) }
                }
                guard let candidate else { return nil }
                members = candidate.members
                best = candidate.fit
                continue
            }
            var worst: (link: Int, cost: Double)?
            for link in linkSet {
                var cost = 0.0
                let rangeKnown: Bool = if case .unknown = problem.links[link].offset { false } else { true }
                for ref in members where ref.link == link {
                    if rangeKnown {
                        let range = problem.rangeObservation(ref)
                        let r = range.value - range.predicted(at: x)
                        cost += r * r / range.variance
                    }
                    if mode != .delayOnly {
                        for angle in problem.angleObservations(ref) {
                            let r = angle.innovation(at: x)
                            cost += r * r / angle.variance
                        }
                    }
                }
                if cost > worst?.cost ?? -1 { worst = (link, cost) }
            }
            guard let worst else { return nil }
            members.removeAll { $0.link == worst.link }
            guard let fit = solve(problem, members, seed: x) else { return nil }
            best = fit
        }
        if problem.surveyedLinkCount(members) < hypothesis.minimumSurveyedLinks { return nil }
        let estimate = best.estimate
        var flags = Set<Localization.Flag>()
        if hypothesis.ambiguous { flags.insert(.ambiguous) }
        if problem.anyCalibrated(members) { flags.insert(.calibrated) }
        if best.offsetCount > 0 { flags.insert(.offsetEstimated) }
        if estimate.flags.contains(.underdetermined) { flags.insert(.underdetermined) }
        if estimate.flags.contains(.lowQuality) { flags.insert(.lowQuality) }
        if !dropped.isEmpty { flags.insert(.anchorsDropped) }
        return Localization(
            position: estimate.position, covariance: SymmetricMatrix3(estimate.covariance), links: problem.linkIds(members),
            echoes: members, residual: estimate.residual, degreesOfFreedom: estimate.degreesOfFreedom, flags: flags,
            droppedAnchors: dropped)
    }
}

/// `time-angle`: the per-echo closed forms of docs/domain.md §7.3, fused across links by inverse
/// covariance (`EchoAssociation`); no iteration. Only echoes with a point contribute.
struct TimeAngleLocalizer: Localizer {
    let settings: LocalizerSettings
    var name: String { "time-angle" }

    func localize(_ problem: LocalizationProblem) throws(ProblemError) -> LocalizationResult {
        try problem.validate()
        var out: [Localization] = []
        var rejected = 0
        let (groups, _, minimumSurveyed) = EchoAssociation.run(problem, settings: settings.association)
        for group in groups {
            let links = Set(group.pointMembers.map(\.link)).count
            guard links >= Swift.max(1, settings.association.minimumLinks), group.position.isFinite, group.covariance.isFinite else {
                rejected += 1
                continue
            }
            var flags = Set<Localization.Flag>()
            if group.ambiguous { flags.insert(.ambiguous) }
            if problem.anyCalibrated(group.pointMembers) { flags.insert(.calibrated) }
            // Points that do not agree within the χ² test are not one target; nor is a group
            // whose points lack the surveyed links the association asked for.
            let dof = 3 * (group.pointCount - 1)
            if dof > 0 && group.pointResidual > chiSquareQuantile(probability: settings.residualProbability, degreesOfFreedom: dof)
                || problem.surveyedLinkCount(group.pointMembers) < minimumSurveyed
            {
                rejected += 1
                continue
            }
            out.append(
                Localization(
                    position: group.position, covariance: group.covariance, links: problem.linkIds(group.pointMembers),
                    echoes: group.pointMembers, residual: group.pointResidual, degreesOfFreedom: dof, flags: flags))
        }
        return LocalizationResult(localizations: out, rejected: rejected)
    }
}

/// `joint`: docs/domain.md §7.4 on the base stations' monostatic ranges and the sum ranges between
/// them (links with a known or calibrated offset). Angles and UE links are not used.
///
/// The association takes one range variance for the whole frame; the largest echo variance
/// is used, so its residual test never rejects a correct association for being too precise.
struct JointLocalizer: Localizer {
    let settings: LocalizerSettings
    var name: String { "joint" }

    struct Associated {
        var target: AssociatedTarget
        var members: [EchoRef]
    }

    /// The §7.4 association of `problem`, with each target's echoes.
    static func associate(_ problem: LocalizationProblem, settings: AssociationSettings) -> (targets: [Associated], truncated: Bool) {
        // Base stations with monostatic echoes, in anchor order.
        var stationOf: [Int: Int] = [:]
        var stations: [Vec3] = []
        var directRefs: [[EchoRef]] = []
        for (l, link) in problem.links.enumerated() where link.isMonostatic && problem.anchors[link.transmitter].kind == .baseStation {
            let anchor = link.transmitter
            if stationOf[anchor] == nil {
                stationOf[anchor] = stations.count
                stations.append(problem.anchors[anchor].position)
                directRefs.append([])
            }
            for e in link.echoes.indices { directRefs[stationOf[anchor]!].append(EchoRef(link: l, echo: e)) }
        }
        guard stations.count >= 3 else { return ([], false) }
        var variance = 0.0
        var direct = directRefs.map { refs in
            refs.map { ref -> Double in
                let echo = problem.links[ref.link].echoes[ref.echo]
                variance = Swift.max(variance, echo.rangeVariance)
                return echo.range
            }
        }
        var sumRefs: [BaseStationPair: [EchoRef]] = [:]
        for (l, link) in problem.links.enumerated() where !link.isMonostatic {
            if case .unknown = link.offset { continue }
            guard let i = stationOf[link.transmitter], let j = stationOf[link.receiver], i != j else { continue }
            let pair = BaseStationPair(i, j)
            for e in link.echoes.indices {
                sumRefs[pair, default: []].append(EchoRef(link: l, echo: e))
                variance = Swift.max(variance, link.echoes[e].rangeVariance)
            }
        }
        let sums = sumRefs.mapValues { refs in refs.map { problem.links[$0.link].echoes[$0.echo].range } }
        // Stations with nothing heard still count (they constrain nothing but keep indices).
        for k in direct.indices where direct[k].isEmpty { direct[k] = [] }
        let ranges = NetworkRanges(baseStations: stations, direct: direct, sum: sums, rangeVariance: variance)
        let result = JointAssociation.solve(ranges, settings: settings)
        let targets = result.targets.map { target in
            var members: [EchoRef] = []
            for (i, index) in target.mapping.enumerated() { if let index { members.append(directRefs[i][index]) } }
            for (pair, index) in target.sumMapping { members.append(sumRefs[pair]![index]) }
            return Associated(target: target, members: members.sorted())
        }
        return (targets, result.truncated)
    }

    func localize(_ problem: LocalizationProblem) throws(ProblemError) -> LocalizationResult {
        try problem.validate()
        let (associated, truncated) = Self.associate(problem, settings: settings.joint)
        let out = associated.compactMap { item -> Localization? in
            let estimate = item.target.estimate
            guard estimate.position.isFinite, estimate.covariance.isFinite else { return nil }
            var flags = Set<Localization.Flag>()
            if item.target.ambiguous { flags.insert(.ambiguous) }
            if problem.anyCalibrated(item.members) { flags.insert(.calibrated) }
            if estimate.flags.contains(.underdetermined) { flags.insert(.underdetermined) }
            if estimate.flags.contains(.lowQuality) || truncated { flags.insert(.lowQuality) }
            return Localization(
                position: estimate.position, covariance: SymmetricMatrix3(estimate.covariance), links: problem.linkIds(item.members),
                echoes: item.members, residual: estimate.residual, degreesOfFreedom: estimate.degreesOfFreedom, flags: flags)
        }
        return LocalizationResult(localizations: out, rejected: associated.count - out.count)
    }
}
