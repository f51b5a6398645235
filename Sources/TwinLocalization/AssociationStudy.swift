import TwinMath

/// A deterministic Monte-Carlo study of `JointAssociation` (docs/domain.md §7 item 4, metrics §10):
/// random scenes of device-free targets seen by a network of base stations, with blocked legs
/// and NLOS spurious ranges, solved with and without the one-range-per-target constraint.
///
/// **Scene** (`scene(_:seed:trial:)`):
/// - Five BSs over a 100 m × 100 m square (`baseStations`): the four corners at 10 m and the
///   centre at 12 m, so the five are not coplanar (the centre mast is taller).
/// - K targets, x and y uniform in [5, 95] m and z uniform in [0, 2] m (people and vehicles),
///   independently, with no minimum separation.
/// - Range noise: Gaussian, σ = ΔR/√12 with ΔR = c/(2B) the range resolution of bandwidth B
///   (the standard deviation of a uniform quantisation error over one range bin): 400 MHz gives
///   ΔR = 0.375 m, σ ≈ 0.108 m; 300 MHz gives ΔR = 0.5 m, σ ≈ 0.144 m. The same σ applies to
///   one-way direct ranges and to sum ranges, and `NetworkRanges.rangeVariance` is σ².
/// - Blockage: each BS–target leg is blocked independently with probability
///   `blockageProbability` (0.1). A blocked leg removes the target's direct range at that BS
///   and every sum range using that leg.
/// - NLOS (Type III) spurious ranges: for each BS and each target whose leg is LOS, with
///   probability `nlosProbability` (0.5) one extra direct range = true range + U[1, 20] m;
///   for each pair of BSs and each target whose sum range is measured (both legs LOS), with
///   the same probability one extra sum range = true sum + U[2, 40] m. Spurious ranges get the
///   same Gaussian noise as true ones.
/// - Every pair of BSs is measured (present in `NetworkRanges.sum`, possibly empty); every set
///   is shuffled, so nothing labels which range belongs to which target.
///
/// **Reproducibility and common random numbers.** A scene is a pure function of
/// (seed, K, trial) and the settings: the stream is
/// `SeededRandom(seed:).substream("association-study/K=<K>").substream(trial)`, split into named
/// substreams (targets, blockage, NLOS, noise, shuffle). Every draw is made whatever the
/// probabilities, and noise is drawn standard normal and scaled by σ, so the two bandwidths see
/// the same targets, blockages and NLOS paths and differ only in the noise scale: the
/// comparison across bandwidths, and between the joint method and the baseline (which solve the
/// very same frames), is paired.
///
/// **Association settings** (`associationSettings(sigma:exclusiveRanges:)`): ε = 5·√3·σ (the
/// difference s − (r_i + r_j) has standard deviation √3·σ, so ε is 5 of its standard
/// deviations: 0.94 m at 400 MHz, 1.25 m at 300 MHz), the default γ (99.9 % χ² quantile),
/// `preferredZ` = 1 m (the middle of the target heights, for the mirror choice of the nearly
/// coplanar BSs), `ambiguityDistance` = the detection radius δ = 1 m, all else default.
///
/// **Metrics** (docs/domain.md §10, `Detection`): a true target is correctly localised when an
/// estimate lies within δ = 1 m, matched one-to-one by optimal assignment. Over all frames,
/// P_MD = 1 − Σ correct / Σ true and P_FA = 1 − Σ correct / Σ reported (0 when nothing was
/// reported); RMSE over the correct ones; mean wall time of `JointAssociation.solve` per frame
/// and mean number of candidates fitted.
public enum AssociationStudy {
    /// Speed of light in vacuum (m/s).
    public static let speedOfLight = 299_792_458.0

    /// The five BSs: corners of the 100 m square at 10 m and its centre at 12 m.
    public static let baseStations: [Vec3] = [
        Vec3(0, 0, 10), Vec3(100, 0, 10), Vec3(100, 100, 10), Vec3(0, 100, 10), Vec3(50, 50, 12),
    ]

    /// The detection radius δ (m) of the study.
    public static let detectionRadius = 1.0

    /// Range resolution ΔR = c/(2B) (m) of a bandwidth B (Hz).
    public static func rangeResolution(bandwidth: Double) -> Double { speedOfLight / (2 * bandwidth) }

    /// Range noise standard deviation σ = ΔR/√12 (m) of a bandwidth B (Hz).
    public static func rangeSigma(bandwidth: Double) -> Double { rangeResolution(bandwidth: bandwidth) / 12.0.squareRoot() }

    /// The association settings of the study for range noise σ (see the type's documentation).
    public static func associationSettings(sigma: Double, exclusiveRanges: Bool) -> AssociationSettings {
        AssociationSettings(
            epsilon: 5 * 3.0.squareRoot() * sigma, preferredZ: 1, ambiguityDistance: detectionRadius,
            exclusiveRanges: exclusiveRanges)
    }

    // MARK: - Scenes

    /// What a scene draws.
    public struct SceneSettings: Sendable, Equatable {
        /// Signal bandwidth B (Hz); σ = c/(2B)/√12.
        public var bandwidth: Double
        /// Number of targets K.
        public var targetCount: Int
        /// Probability that one BS–target leg is blocked.
        public var blockageProbability: Double
        /// Probability of one spurious NLOS range per LOS direct range and per measured sum range.
        public var nlosProbability: Double
        /// Excess length (m) of a spurious direct range over the true one, uniform.
        public var directExcess: ClosedRange<Double>
        /// Excess length (m) of a spurious sum range over the true one, uniform.
        public var sumExcess: ClosedRange<Double>
        /// Range of the targets' x and y (m), uniform.
        public var horizontalExtent: ClosedRange<Double>
        /// Range of the targets' z (m), uniform.
        public var heightExtent: ClosedRange<Double>

        public init(
            bandwidth: Double, targetCount: Int, blockageProbability: Double = 0.1, nlosProbability: Double = 0.5,
            directExcess: ClosedRange<Double> = 1...20, sumExcess: ClosedRange<Double> = 2...40,
            horizontalExtent: ClosedRange<Double> = 5...95, heightExtent: ClosedRange<Double> = 0...2
        ) {
            self.bandwidth = bandwidth
            self.targetCount = targetCount
            self.blockageProbability = blockageProbability
            self.nlosProbability = nlosProbability
            self.directExcess = directExcess
            self.sumExcess = sumExcess
            self.horizontalExtent = horizontalExtent
            self.heightExtent = heightExtent
        }

        /// σ (m) of every range.
        public var rangeSigma: Double { AssociationStudy.rangeSigma(bandwidth: bandwidth) }
    }

    /// One frame: the truth and the unlabeled ranges it produced.
    public struct Scene: Sendable, Equatable {
        /// True target positions (m).
        public var targets: [Vec3]
        /// `blocked[k][i]`: the leg between target k and BS i is blocked.
        public var blocked: [[Bool]]
        /// The measurements, shuffled.
        public var ranges: NetworkRanges
    }

    /// The scene of trial `trial` (see the type's documentation). Pure function of its inputs.
    public static func scene(_ settings: SceneSettings, seed: UInt64, trial: Int) -> Scene {
        precondition(settings.targetCount >= 0, "targetCount must be non-negative")
        precondition(settings.bandwidth > 0 && settings.bandwidth.isFinite, "bandwidth must be positive")
        let stations = baseStations
        let m = stations.count
        let k = settings.targetCount
        let sigma = settings.rangeSigma
        let root = SeededRandom(seed: seed).substream("association-study/K=\(k)").substream(trial)
        var targetStream = root.substream("targets")
        var blockageStream = root.substream("blockage")
        var nlosStream = root.substream("nlos")
        var noiseStream = root.substream("noise")
        var shuffleStream = root.substream("shuffle")

        let h = settings.horizontalExtent
        let v = settings.heightExtent
        let targets = (0..<k).map { _ in
            Vec3(
                targetStream.uniform(h.lowerBound, h.upperBound), targetStream.uniform(h.lowerBound, h.upperBound),
                targetStream.uniform(v.lowerBound, v.upperBound))
        }
        let blocked = (0..<k).map { _ in (0..<m).map { _ in blockageStream.bernoulli(settings.blockageProbability) } }
        let distance = targets.map { x in stations.map { (x - $0).norm } }

        // Draws a spurious excess (always drawn, so streams stay aligned whatever the probability).
        func spurious(_ excess: ClosedRange<Double>) -> Double? {
            let present = nlosStream.bernoulli(settings.nlosProbability)
            let value = nlosStream.uniform(excess.lowerBound, excess.upperBound)
            return present ? value : nil
        }
        func noise() -> Double { sigma * noiseStream.gaussian() }

        var direct: [[Double]] = Array(repeating: [], count: m)
        for i in 0..<m {
            for t in 0..<k {
                let value = distance[t][i] + noise()
                let extra = spurious(settings.directExcess)
                let extraNoise = noise()
                guard !blocked[t][i] else { continue }
                direct[i].append(value)
                if let extra { direct[i].append(distance[t][i] + extra + extraNoise) }
            }
            direct[i].shuffle(using: &shuffleStream)
        }
        var sum: [BaseStationPair: [Double]] = [:]
        for i in 0..<m {
            for j in (i + 1)..<m {
                var set: [Double] = []
                for t in 0..<k {
                    let truth = distance[t][i] + distance[t][j]
                    let value = truth + noise()
                    let extra = spurious(settings.sumExcess)
                    let extraNoise = noise()
                    guard !blocked[t][i], !blocked[t][j] else { continue }
                    set.append(value)
                    if let extra { set.append(truth + extra + extraNoise) }
                }
                set.shuffle(using: &shuffleStream)
                sum[BaseStationPair(i, j)] = set
            }
        }
        return Scene(
            targets: targets, blocked: blocked,
            ranges: NetworkRanges(baseStations: stations, direct: direct, sum: sum, rangeVariance: sigma * sigma))
    }

    // MARK: - Detection metrics

    /// Detection counts of one or more frames (docs/domain.md §10); add frames with `+`.
    public struct Detection: Sendable, Equatable, Codable {
        /// Σ true targets.
        public var truths: Int
        /// Σ reported targets.
        public var reported: Int
        /// Σ correctly localised targets (one-to-one within the radius).
        public var correct: Int
        /// Σ squared 3-D errors (m²) of the correct ones.
        public var squaredErrorSum: Double

        public init(truths: Int = 0, reported: Int = 0, correct: Int = 0, squaredErrorSum: Double = 0) {
            self.truths = truths
            self.reported = reported
            self.correct = correct
            self.squaredErrorSum = squaredErrorSum
        }

        /// Scores one frame: true targets and estimates are matched one-to-one by optimal
        /// assignment (`Assignment.solve`) on their distances, pairs farther apart than `radius`
        /// being forbidden; the matched pairs are the correct ones. The assignment maximises
        /// their number first, then minimises the summed distance.
        public static func evaluate(truths: [Vec3], estimates: [Vec3], radius: Double = AssociationStudy.detectionRadius)
            -> Detection
        {
            var frame = Detection(truths: truths.count, reported: estimates.count)
            guard !truths.isEmpty, !estimates.isEmpty else { return frame }
            var costs = Matrix(rows: truths.count, columns: estimates.count)
            for (r, x) in truths.enumerated() {
                for (c, e) in estimates.enumerated() {
                    let d = (x - e).norm
                    costs[r, c] = d <= radius ? d : .infinity
                }
            }
            for pair in Assignment.solve(costs: costs).pairs {
                frame.correct += 1
                frame.squaredErrorSum += (truths[pair.row] - estimates[pair.column]).normSquared
            }
            return frame
        }

        /// Probability of missed detection 1 − Σ correct / Σ true (0 without true targets).
        public var missedDetectionProbability: Double { truths > 0 ? 1 - Double(correct) / Double(truths) : 0 }
        /// Probability of false alarm 1 − Σ correct / Σ reported (0 when nothing was reported).
        public var falseAlarmProbability: Double { reported > 0 ? 1 - Double(correct) / Double(reported) : 0 }
        /// Root-mean-square 3-D error (m) of the correct ones, nil when none.
        public var rootMeanSquareError: Double? {
            correct > 0 ? (squaredErrorSum / Double(correct)).squareRoot() : nil
        }

        public static func + (lhs: Detection, rhs: Detection) -> Detection {
            Detection(
                truths: lhs.truths + rhs.truths, reported: lhs.reported + rhs.reported, correct: lhs.correct + rhs.correct,
                squaredErrorSum: lhs.squaredErrorSum + rhs.squaredErrorSum)
        }

        public static func += (lhs: inout Detection, rhs: Detection) { lhs = lhs + rhs }
    }

    // MARK: - The study

    /// The association method compared.
    public enum Method: String, Sendable, CaseIterable {
        /// `JointAssociation.solve` with the one-range-per-target constraint (the default).
        case joint
        /// The same without it (`AssociationSettings.exclusiveRanges = false`).
        case baseline

        var exclusiveRanges: Bool { self == .joint }
    }

    /// The outcome of one (bandwidth, K, method) cell over all trials.
    public struct Row: Sendable, Equatable {
        /// Bandwidth B (Hz).
        public var bandwidth: Double
        /// Number of targets K.
        public var targetCount: Int
        public var method: Method
        /// Number of frames.
        public var trials: Int
        /// Pooled detection counts.
        public var detection: Detection
        /// Mean wall time of `JointAssociation.solve` per frame (s).
        public var meanSeconds: Double
        /// Mean number of candidates fitted per frame.
        public var meanCandidates: Double
        /// Fraction of frames whose result was flagged ambiguous.
        public var ambiguousFraction: Double

        public init(
            bandwidth: Double, targetCount: Int, method: Method, trials: Int, detection: Detection, meanSeconds: Double,
            meanCandidates: Double, ambiguousFraction: Double
        ) {
            self.bandwidth = bandwidth
            self.targetCount = targetCount
            self.method = method
            self.trials = trials
            self.detection = detection
            self.meanSeconds = meanSeconds
            self.meanCandidates = meanCandidates
            self.ambiguousFraction = ambiguousFraction
        }
    }

    /// Runs every (bandwidth, K) cell for `trials` frames and both methods, on the same frames.
    /// Results other than the times are a pure function of the inputs.
    /// - Parameters:
    ///   - bandwidths: in Hz.
    ///   - template: the scene settings besides bandwidth and K.
    ///   - progress: called after each cell with (cells done, cells in all).
    public static func run(
        bandwidths: [Double], targetCounts: [Int], trials: Int, seed: UInt64,
        template: SceneSettings = SceneSettings(bandwidth: 400e6, targetCount: 0),
        progress: (Int, Int) -> Void = { _, _ in }
    ) -> [Row] {
        precondition(trials >= 1, "trials must be at least 1")
        let clock = ContinuousClock()
        var rows: [Row] = []
        let cells = bandwidths.count * targetCounts.count
        var done = 0
        for bandwidth in bandwidths {
            for k in targetCounts {
                var settings = template
                settings.bandwidth = bandwidth
                settings.targetCount = k
                let methods = Method.allCases
                var detection = Array(repeating: Detection(), count: methods.count)
                var elapsed = Array(repeating: Duration.zero, count: methods.count)
                var candidates = Array(repeating: 0, count: methods.count)
                var ambiguous = Array(repeating: 0, count: methods.count)
                let association = methods.map {
                    associationSettings(sigma: settings.rangeSigma, exclusiveRanges: $0.exclusiveRanges)
                }
                for trial in 0..<trials {
                    let frame = scene(settings, seed: seed, trial: trial)
                    for index in methods.indices {
                        let start = clock.now
                        let result = JointAssociation.solve(frame.ranges, settings: association[index])
                        elapsed[index] += clock.now - start
                        candidates[index] += result.candidatesTried
                        if result.ambiguous { ambiguous[index] += 1 }
                        detection[index] += Detection.evaluate(
                            truths: frame.targets, estimates: result.targets.map(\.estimate.position))
                    }
                }
                for (index, method) in methods.enumerated() {
                    rows.append(
                        Row(
                            bandwidth: bandwidth, targetCount: k, method: method, trials: trials, detection: detection[index],
                            meanSeconds: seconds(elapsed[index]) / Double(trials),
                            meanCandidates: Double(candidates[index]) / Double(trials),
                            ambiguousFraction: Double(ambiguous[index]) / Double(trials)))
                }
                done += 1
                progress(done, cells)
            }
        }
        return rows
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    // MARK: - Report

    /// A Markdown table, one line per (bandwidth, K) in the order of `rows`: P_MD, P_FA, RMSE and
    /// ms/frame of the joint method, then P_MD, P_FA and ms/frame of the baseline. Cells of a
    /// method missing from `rows` show "–".
    public static func markdownTable(_ rows: [Row]) -> String {
        table(
            rows,
            header: [
                "joint P_MD", "joint P_FA", "joint RMSE (m)", "joint ms/frame", "baseline P_MD", "baseline P_FA",
                "baseline ms/frame",
            ],
            joint: { row in
                [
                    fixed(row.detection.missedDetectionProbability, 3), fixed(row.detection.falseAlarmProbability, 3),
                    row.detection.rootMeanSquareError.map { fixed($0, 3) } ?? "–", fixed(row.meanSeconds * 1e3, 3),
                ]
            },
            baseline: { row in
                [
                    fixed(row.detection.missedDetectionProbability, 3), fixed(row.detection.falseAlarmProbability, 3),
                    fixed(row.meanSeconds * 1e3, 3),
                ]
            })
    }

    /// A second Markdown table of diagnostics, one line per (bandwidth, K): reported targets per
    /// frame, candidates fitted per frame and the fraction of frames flagged ambiguous, for the
    /// joint method then the baseline.
    public static func detailsTable(_ rows: [Row]) -> String {
        func cells(_ row: Row) -> [String] {
            [
                fixed(Double(row.detection.reported) / Double(row.trials), 2), fixed(row.meanCandidates, 1),
                fixed(row.ambiguousFraction, 3),
            ]
        }
        return table(
            rows,
            header: [
                "joint reported/frame", "joint candidates/frame", "joint ambiguous", "baseline reported/frame",
                "baseline candidates/frame", "baseline ambiguous",
            ],
            joint: cells, baseline: cells)
    }

    private static func table(
        _ rows: [Row], header: [String], joint: (Row) -> [String], baseline: (Row) -> [String]
    ) -> String {
        var keys: [(bandwidth: Double, targets: Int)] = []
        for row in rows where !keys.contains(where: { $0 == (row.bandwidth, row.targetCount) }) {
            keys.append((row.bandwidth, row.targetCount))
        }
        // Columns are named "joint …" then "baseline …".
        let jointCount = header.count { $0.hasPrefix("joint") }
        let baselineCount = header.count - jointCount
        var lines = [
            "| B (MHz) | K | " + header.joined(separator: " | ") + " |",
            "|" + String(repeating: "---:|", count: header.count + 2),
        ]
        for key in keys {
            func find(_ method: Method) -> Row? {
                rows.first { $0.bandwidth == key.bandwidth && $0.targetCount == key.targets && $0.method == method }
            }
            var cells = [fixed(key.bandwidth / 1e6, 0), "\(key.targets)"]
            cells += find(.joint).map(joint) ?? Array(repeating: "–", count: jointCount)
            cells += find(.baseline).map(baseline) ?? Array(repeating: "–", count: baselineCount)
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// `value` rounded half away from zero to `digits` decimals, without Foundation.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        let scale = (0..<digits).reduce(1.0) { product, _ in product * 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let padded = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - padded.count) + padded
    }
}
