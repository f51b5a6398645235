import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinWorld

/// Problem-level scenes: anchors, links and echoes computed by hand from chosen target
/// positions (|x − a|, |x − tx| + |x − rx|, atan2), independent of the localisers' models.
enum Problems {
    typealias Echo = LocalizationProblem.Echo
    typealias Direction = LocalizationProblem.Direction

    /// Five base stations at different heights around a 100 m square.
    static let stations: [Vec3] = [Vec3(0, 0, 12), Vec3(100, 0, 8), Vec3(0, 100, 10), Vec3(100, 100, 14), Vec3(50, 50, 20)]

    static func direction(from a: Vec3, to x: Vec3, variance: Double = 1e-4) -> Direction {
        let d = x - a
        return Direction(
            azimuth: atan2(d.y, d.x), azimuthVariance: variance, elevation: atan2(d.z, (d.x * d.x + d.y * d.y).squareRoot()),
            elevationVariance: variance)
    }

    /// A monostatic echo of `x` at `a` (one-way range), with its arrival direction when `angles`.
    static func monostatic(_ a: Vec3, _ x: Vec3, variance: Double = 1e-2, angles: Bool = true) -> Echo {
        Echo(range: (x - a).norm, rangeVariance: variance, arrival: angles ? direction(from: a, to: x) : nil)
    }

    /// A bistatic echo of `x` (sum range), with arrival and departure directions when `angles`.
    static func bistatic(_ tx: Vec3, _ rx: Vec3, _ x: Vec3, variance: Double = 1e-2, angles: Bool = true, offset: Double = 0)
        -> Echo
    {
        Echo(
            range: (x - tx).norm + (x - rx).norm + offset, rangeVariance: variance,
            arrival: angles ? direction(from: rx, to: x) : nil, departure: angles ? direction(from: tx, to: x) : nil)
    }

    /// Every station monostatic, each hearing all `targets` (echo order shuffled by `rotate`).
    static func monostaticProblem(targets: [Vec3], angles: Bool = true, rotate: Int = 0) -> LocalizationProblem {
        let anchors = stations.enumerated().map { LocalizationProblem.Anchor(name: "bs\($0.offset)", position: $0.element) }
        let links = stations.indices.map { i in
            var echoes = targets.map { monostatic(stations[i], $0, angles: angles) }
            if !echoes.isEmpty {
                let k = (i + rotate) % echoes.count
                echoes = Array(echoes[k...] + echoes[..<k])
            }
            return LocalizationProblem.Link(id: i, transmitter: i, receiver: i, offset: .none, echoes: echoes)
        }
        return LocalizationProblem(anchors: anchors, links: links)
    }
}

struct LocalizerTests {
    let target = Vec3(37, 61, 1.5)

    @Test(arguments: Localizers.registry.names)
    func eachKindIsMadeUnderItsName(kind: String) {
        #expect(Localizers.make(kind)!.name == kind)
    }

    @Test func noiseFreeRangesAndAnglesAreRecoveredBelowAMicrometre() throws {
        let problem = Problems.monostaticProblem(targets: [target])
        for kind in ["gauss-newton", "time-angle", "ue-selection"] {
            let result = try Localizers.make(kind)!.localize(problem)
            #expect(result.localizations.count == 1, "\(kind)")
            let l = try #require(result.localizations.first)
            #expect(l.position.distance(to: target) < 1e-6, "\(kind)")
            #expect(l.links == [0, 1, 2, 3, 4])
            #expect(l.flags.isEmpty, "\(kind): \(l.flags)")
        }
        // Ranges alone (one range per link: the offline single-target case) with the delay-only localiser.
        let rangesOnly = Problems.monostaticProblem(targets: [target], angles: false)
        for kind in ["gauss-newton", "ellipsoid"] {
            let l = try #require(try Localizers.make(kind)!.localize(rangesOnly).localizations.first)
            #expect(l.position.distance(to: target) < 1e-6, "\(kind)")
            // 5 ranges, 3 unknowns.
            #expect(l.degreesOfFreedom == 2)
        }
    }

    @Test func bistaticSumRangesWithAnglesGiveTheTargetAndTheirClosedFormPoints() throws {
        let s = Problems.stations
        let anchors = s.enumerated().map { LocalizationProblem.Anchor(name: "bs\($0.offset)", position: $0.element) }
        let pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
        let links = pairs.enumerated().map { k, p in
            LocalizationProblem.Link(
                id: k, transmitter: p.0, receiver: p.1, offset: .calibrated(value: 0, variance: 0),
                echoes: [Problems.bistatic(s[p.0], s[p.1], target)])
        }
        let problem = LocalizationProblem(anchors: anchors, links: links)
        let l = try #require(try Localizers.make("gauss-newton")!.localize(problem).localizations.first)
        #expect(l.position.distance(to: target) < 1e-6)
        #expect(l.flags == [.calibrated])
        // Each echo's own closed form (AoA + AoD, AoA only, AoD only) is exact.
        for link in links {
            let echo = link.echoes[0]
            let tx = s[link.transmitter], rx = s[link.receiver]
            let both = try #require(EchoPoint.make(echo, transmitter: tx, receiver: rx, monostatic: false))
            #expect(both.position.distance(to: target) < 1e-9)
            var arrivalOnly = echo
            arrivalOnly.departure = nil
            #expect(
                try #require(EchoPoint.make(arrivalOnly, transmitter: tx, receiver: rx, monostatic: false)).position.distance(to: target)
                    < 1e-9)
            var departureOnly = echo
            departureOnly.arrival = nil
            #expect(
                try #require(EchoPoint.make(departureOnly, transmitter: tx, receiver: rx, monostatic: false)).position.distance(to: target)
                    < 1e-9)
        }
    }

    /// docs/domain.md §7.3 by hand: tx (0,0,0), rx (10,0,0), target (4,3,0): d = 5 + √45, the
    /// arrival direction makes cos φ = (6/√45) with the baseline seen from the receiver, and
    /// d₁ = (d₃² + d² − 2d₃d·cos φ)/(2d − 2d₃ cos φ) must be |tx − x| = 5.
    @Test func bistaticClosedFormMatchesTheHandComputedLeg() throws {
        let tx = Vec3(0, 0, 0), rx = Vec3(10, 0, 0), x = Vec3(4, 3, 0)
        let d = 5 + 45.0.squareRoot()
        let cosPhi = 6 / 45.0.squareRoot()
        let d1 = (100 + d * d - 20 * d * cosPhi) / (2 * d - 20 * cosPhi)
        #expect(abs(d1 - 5) < 1e-12)
        let point = try #require(
            EchoPoint.bistaticPoint(
                sumRange: d, transmitter: tx, receiver: rx, arrival: (x - rx) / (x - rx).norm, departure: Vec3(0.8, 0.6, 0)))
        #expect(point.distance(to: x) < 1e-12)
        // A sum range not longer than the baseline has no ellipsoid: no point.
        #expect(EchoPoint.bistaticPoint(sumRange: 10, transmitter: tx, receiver: rx, arrival: Vec3(1, 0, 0), departure: nil) == nil)
    }

    @Test func echoPointCovarianceMatchesMonteCarloSpread() throws {
        let tx = Problems.stations[0], rx = Problems.stations[3]
        let clean = Problems.bistatic(tx, rx, target, variance: 0.04)
        let angleVariance = 1e-4
        let point = try #require(EchoPoint.make(clean, transmitter: tx, receiver: rx, monostatic: false))
        var random = SeededRandom(seed: 11)
        let n = 4000
        var sum = Vec3.zero
        var samples: [Vec3] = []
        for _ in 0..<n {
            var e = clean
            e.range += 0.2 * random.gaussian()
            e.arrival!.azimuth += angleVariance.squareRoot() * random.gaussian()
            e.arrival!.elevation! += angleVariance.squareRoot() * random.gaussian()
            e.departure!.azimuth += angleVariance.squareRoot() * random.gaussian()
            e.departure!.elevation! += angleVariance.squareRoot() * random.gaussian()
            let p = try #require(EchoPoint.make(e, transmitter: tx, receiver: rx, monostatic: false)).position
            samples.append(p)
            sum += p
        }
        let mean = sum / Double(n)
        var xx = 0.0, yy = 0.0, zz = 0.0
        for p in samples {
            xx += (p.x - mean.x) * (p.x - mean.x)
            yy += (p.y - mean.y) * (p.y - mean.y)
            zz += (p.z - mean.z) * (p.z - mean.z)
        }
        let trace = (xx + yy + zz) / Double(n - 1)
        // Sampling error of a variance with 4000 samples is ~2 %; linearisation adds little at this noise.
        #expect(abs(trace / point.covariance.trace - 1) < 0.08, "MC \(trace) vs \(point.covariance.trace)")
    }

    /// RMSE over many noisy trials divided by the CRLB position bound √tr(J⁻¹), J = Σ gᵢgᵢᵀ/σᵢ²
    /// with the gradients of the ranges and angles computed here by hand at the truth.
    @Test func rmseAtHighSNRMeetsTheCramerRaoBound() throws {
        let rangeVariance = 1e-2, angleVariance = 1e-4
        var fisher = Matrix(rows: 3, columns: 3)
        func add(_ g: Vec3, _ variance: Double) {
            let v = [g.x, g.y, g.z]
            for r in 0..<3 { for c in 0..<3 { fisher[r, c] += v[r] * v[c] / variance } }
        }
        for a in Problems.stations {
            let d = target - a
            add(d / d.norm, rangeVariance)
            let rho2 = d.x * d.x + d.y * d.y
            add(Vec3(-d.y / rho2, d.x / rho2, 0), angleVariance)
            let rho = rho2.squareRoot(), r2 = rho2 + d.z * d.z
            add(Vec3(-d.x * d.z / (rho * r2), -d.y * d.z / (rho * r2), rho / r2), angleVariance)
        }
        let bound = try fisher.inverse()
        let crlb = (bound[0, 0] + bound[1, 1] + bound[2, 2]).squareRoot()

        let clean = Problems.monostaticProblem(targets: [target])
        let localizer = Localizers.make("gauss-newton")!
        var random = SeededRandom(seed: 5)
        var squared = 0.0
        var reportedTrace = 0.0
        let trials = 1500
        for _ in 0..<trials {
            var problem = clean
            for l in problem.links.indices {
                problem.links[l].echoes[0].range += rangeVariance.squareRoot() * random.gaussian()
                problem.links[l].echoes[0].arrival!.azimuth += angleVariance.squareRoot() * random.gaussian()
                problem.links[l].echoes[0].arrival!.elevation! += angleVariance.squareRoot() * random.gaussian()
            }
            let l = try #require(try localizer.localize(problem).localizations.first)
            squared += l.position.distance(to: target) * l.position.distance(to: target)
            reportedTrace += l.covariance.trace
        }
        let rmse = (squared / Double(trials)).squareRoot()
        #expect(abs(rmse / crlb - 1) < 0.06, "RMSE \(rmse) m, CRLB \(crlb) m")
        // The reported covariance is the bound evaluated at the estimate.
        #expect(abs((reportedTrace / Double(trials)).squareRoot() / crlb - 1) < 0.01)
    }

    @Test func threeTargetsWithClutterAreSeparatedOneEchoPerLink() throws {
        let targets = [Vec3(20, 30, 1), Vec3(70, 40, 2), Vec3(45, 80, 1.5)]
        var problem = Problems.monostaticProblem(targets: targets, rotate: 1)
        // One clutter echo per link at a random range and direction: no two agree.
        var random = SeededRandom(seed: 3)
        for l in problem.links.indices {
            let a = problem.anchors[l].position
            let fake = a + random.uniform(10, 90) * Vec3.unit(azimuth: random.uniform(-.pi, .pi), elevation: random.uniform(-0.5, 0))
            problem.links[l].echoes.insert(Problems.monostatic(a, fake), at: l % 3)
        }
        for kind in ["gauss-newton", "time-angle"] {
            let result = try Localizers.make(kind)!.localize(problem)
            #expect(result.localizations.count == 3, "\(kind): \(result.localizations.map(\.position))")
            for t in targets {
                let best = result.localizations.map { $0.position.distance(to: t) }.min() ?? .infinity
                #expect(best < 1e-6, "\(kind) \(t)")
            }
            // Each reported target uses exactly one echo of each of the five links.
            for l in result.localizations { #expect(l.echoes.count == 5 && l.links == [0, 1, 2, 3, 4]) }
        }
    }

    /// A UE receiver whose clock offset is unknown: four BS→UE sum ranges share one offset
    /// unknown, three monostatic BS ranges and the angles pin the target; GN recovers both.
    @Test func unknownUEClockOffsetIsEstimatedJointly() throws {
        let s = Problems.stations
        let ue = Vec3(60, 20, 1.5)
        var anchors = s.enumerated().map { LocalizationProblem.Anchor(name: "bs\($0.offset)", position: $0.element) }
        anchors.append(.init(name: "ue", position: ue, kind: .ue))
        let offset = 7.25
        // With angles everywhere (the UE measures arrival angles; the BSs sweep beams) and with
        // ranges alone (the single-target offline case): both use the UE links.
        for angles in [true, false] {
            var links = (0..<3).map {
                LocalizationProblem.Link(
                    id: $0, transmitter: $0, receiver: $0, offset: .none, echoes: [Problems.monostatic(s[$0], target, angles: angles)])
            }
            for i in 0..<4 {
                links.append(
                    .init(
                        id: 3 + i, transmitter: i, receiver: 5, offset: .unknown(group: 0),
                        echoes: [Problems.bistatic(s[i], ue, target, angles: angles, offset: offset)]))
            }
            let problem = LocalizationProblem(anchors: anchors, links: links)
            let l = try #require(try Localizers.make("gauss-newton")!.localize(problem).localizations.first)
            #expect(l.position.distance(to: target) < 1e-6)
            #expect(l.flags.contains(.offsetEstimated), "angles \(angles)")
            #expect(l.links == Array(0..<7), "angles \(angles)")
        }
        // The offset itself, from the general solver on the ranges.
        let links =
            (0..<3).map {
                LocalizationProblem.Link(id: $0, transmitter: $0, receiver: $0, offset: .none, echoes: [Problems.monostatic(s[$0], target)])
            }
            + (0..<4).map {
                LocalizationProblem.Link(
                    id: 3 + $0, transmitter: $0, receiver: 5, offset: .unknown(group: 0),
                    echoes: [Problems.bistatic(s[$0], ue, target, angles: false, offset: offset)])
            }
        var ranges: [RangeObservation] = []
        var groups: [Int?] = []
        for link in links {
            let tx = anchors[link.transmitter].position, rx = anchors[link.receiver].position
            let e = link.echoes[0]
            if link.transmitter == link.receiver {
                ranges.append(.monostatic(anchor: tx, range: e.range, variance: e.rangeVariance))
                groups.append(nil)
            } else {
                ranges.append(.bistatic(transmitter: tx, receiver: rx, sumRange: e.range, variance: e.rangeVariance))
                groups.append(0)
            }
        }
        let (estimate, offsets) = try GaussNewton.solve(
            TargetObservations(ranges: ranges, offsetGroup: groups, offsetCount: 1), initial: Vec3(50, 50, 5))
        #expect(estimate.position.distance(to: target) < 1e-6)
        #expect(abs(offsets.values[0] - offset) < 1e-6)
    }

    /// Two of five UEs report positions 6 m off. UE selection drops exactly those two and
    /// the fit with the honest UEs and the BSs meets the truth.
    @Test func ueSelectionDropsPlantedBadUEs() throws {
        let s = Problems.stations
        let ues = [Vec3(30, 10, 1.5), Vec3(80, 30, 1.5), Vec3(20, 80, 1.5), Vec3(60, 90, 1.5), Vec3(90, 70, 1.5)]
        let bad: Set<Int> = [1, 3]
        var anchors = s.enumerated().map { LocalizationProblem.Anchor(name: "bs\($0.offset)", position: $0.element) }
        for (u, p) in ues.enumerated() {
            let reported = bad.contains(u) ? p + Vec3(6, -4, 0) : p
            anchors.append(.init(name: "ue\(u)", position: reported, kind: .ue))
        }
        var links = (0..<3).map {
            LocalizationProblem.Link(
                id: $0, transmitter: $0, receiver: $0, offset: .none, echoes: [Problems.monostatic(s[$0], target, angles: false)])
        }
        for (u, p) in ues.enumerated() {
            for i in [u % 5, (u + 2) % 5] {
                links.append(
                    .init(
                        id: links.count, transmitter: i, receiver: 5 + u, offset: .calibrated(value: 0, variance: 0),
                        echoes: [Problems.bistatic(s[i], p, target, variance: 1e-4, angles: false)]))
            }
        }
        let problem = LocalizationProblem(anchors: anchors, links: links)
        let selected = try #require(try Localizers.make("ue-selection")!.localize(problem).localizations.first)
        #expect(Set(selected.droppedAnchors) == ["ue1", "ue3"])
        #expect(selected.flags.contains(.anchorsDropped))
        #expect(selected.position.distance(to: target) < 1e-6)
        // Without selection the bad reports pull the estimate away or the worst links are cut,
        // never silently kept in a consistent-looking fit.
        let plain = try Localizers.make("gauss-newton")!.localize(problem).localizations
        if let p = plain.first {
            let usesBad = p.links.contains { problem.links[$0].receiver == 6 || problem.links[$0].receiver == 8 }
            #expect(!usesBad || p.position.distance(to: target) > 0.01)
        }
    }

    @Test func anchorPositionVarianceInflatesRangeAndAngleVariances() throws {
        var problem = Problems.monostaticProblem(targets: [target])
        let before = try #require(try Localizers.make("gauss-newton")!.localize(problem).localizations.first)
        for a in problem.anchors.indices { problem.anchors[a].positionVariance = 4 }
        let after = try #require(try Localizers.make("gauss-newton")!.localize(problem).localizations.first)
        #expect(after.position.distance(to: target) < 1e-6)
        // Every range variance grows from 0.01 to 4.01: the covariance grows accordingly.
        #expect(after.covariance.trace > 50 * before.covariance.trace)
    }

    @Test func inconsistentLinkIsDroppedAndAHopelessGroupRejected() throws {
        var problem = Problems.monostaticProblem(targets: [target], angles: false)
        // Link 2's range is 3 m long (an NLOS path that slipped through): the fit fails the
        // χ² test with it and passes without it.
        problem.links[2].echoes[0].range += 3
        let l = try #require(try Localizers.make("gauss-newton")!.localize(problem).localizations.first)
        #expect(l.links == [0, 1, 3, 4])
        #expect(l.position.distance(to: target) < 1e-6)
    }

    @Test func badNumbersAreClearErrorsNotNaN() throws {
        let localizer = Localizers.make("gauss-newton")!
        var nan = Problems.monostaticProblem(targets: [target])
        nan.links[1].echoes[0].range = .nan
        #expect {
            _ = try localizer.localize(nan)
        } throws: { error in
            "\(error)".contains("link 1") && "\(error)".contains("range")
        }
        var negative = Problems.monostaticProblem(targets: [target])
        negative.links[0].echoes[0].range = -2
        #expect(throws: ProblemError.self) { _ = try localizer.localize(negative) }
        var badAnchor = Problems.monostaticProblem(targets: [target])
        badAnchor.links[0].receiver = 42
        #expect(throws: ProblemError.self) { _ = try localizer.localize(badAnchor) }
        var badVariance = Problems.monostaticProblem(targets: [target])
        badVariance.anchors[0].positionVariance = -1
        #expect(throws: ProblemError.self) { _ = try localizer.localize(badVariance) }
    }

    @Test func collinearAnchorsAndTooFewLinksGiveFlagsOrRejectionsNeverNaN() throws {
        // Three BSs on one line, ranges only: the position around the line is unobservable.
        let line = [Vec3(0, 0, 10), Vec3(50, 0, 10), Vec3(100, 0, 10)]
        let anchors = line.enumerated().map { LocalizationProblem.Anchor(name: "bs\($0.offset)", position: $0.element) }
        let links = line.indices.map {
            LocalizationProblem.Link(
                id: $0, transmitter: $0, receiver: $0, offset: .none, echoes: [Problems.monostatic(line[$0], target, angles: false)])
        }
        for kind in Localizers.registry.names {
            let result = try Localizers.make(kind)!.localize(LocalizationProblem(anchors: anchors, links: links))
            for l in result.localizations {
                #expect(l.isFinite, "\(kind)")
                #expect(!l.flags.isDisjoint(with: [.underdetermined, .lowQuality]), "\(kind): \(l.flags)")
            }
        }
        // One link alone is not a target.
        let single = LocalizationProblem(anchors: anchors, links: [links[0]])
        #expect(try Localizers.make("gauss-newton")!.localize(single).localizations.isEmpty)
    }

    @Test func jointLocalizerFindsTargetsFromUnlabeledMonostaticAndSumRanges() throws {
        let targets = [Vec3(20, 30, 1), Vec3(70, 40, 2)]
        var problem = Problems.monostaticProblem(targets: targets, angles: false, rotate: 1)
        let s = Problems.stations
        for (i, j) in [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)] {
            problem.links.append(
                .init(
                    id: problem.links.count, transmitter: i, receiver: j, offset: .calibrated(value: 0, variance: 0),
                    echoes: targets.reversed().map { Problems.bistatic(s[i], s[j], $0, angles: false) }))
        }
        let result = try Localizers.make("joint")!.localize(problem)
        #expect(result.localizations.count == 2)
        for t in targets {
            #expect((result.localizations.map { $0.position.distance(to: t) }.min() ?? .infinity) < 1e-4)
        }
        #expect(result.localizations.allSatisfy { !$0.flags.contains(.ambiguous) })
    }

    @Test func angleGradientsMatchCentralDifferences() {
        let a = Vec3(3, -2, 10)
        for x in [Vec3(20, 5, 1), Vec3(-7, 30, 12), Vec3(4, -40, -3)] {
            for component in [AngleObservation.Component.azimuth, .elevation] {
                let o = AngleObservation(anchor: a, component: component, value: 0, variance: 1)
                let g = o.gradient(at: x)
                let h = 1e-6
                let numeric = Vec3(
                    (o.predicted(at: x + Vec3(h, 0, 0)) - o.predicted(at: x - Vec3(h, 0, 0))) / (2 * h),
                    (o.predicted(at: x + Vec3(0, h, 0)) - o.predicted(at: x - Vec3(0, h, 0))) / (2 * h),
                    (o.predicted(at: x + Vec3(0, 0, h)) - o.predicted(at: x - Vec3(0, 0, h))) / (2 * h))
                #expect((g - numeric).norm < 1e-7 * max(1, g.norm), "\(component) at \(x)")
            }
        }
    }

    @Test func chiSquareQuantileMatchesTables() {
        // Tabulated quantiles (5 significant digits).
        let table: [(p: Double, k: Int, x: Double)] = [
            (0.999, 1, 10.828), (0.999, 3, 16.266), (0.999, 10, 29.588), (0.95, 2, 5.9915), (0.95, 30, 43.773),
            (0.5, 1, 0.45494), (0.01, 4, 0.29711),
        ]
        for row in table {
            let x = chiSquareQuantile(probability: row.p, degreesOfFreedom: row.k)
            #expect(abs(x - row.x) / row.x < 1e-4, "p \(row.p) k \(row.k): \(x)")
        }
        // k = 2 has the closed form −2 ln(1 − p).
        #expect(abs(chiSquareQuantile(probability: 0.9, degreesOfFreedom: 2) + 2 * log(0.1)) < 1e-9)
    }
}
