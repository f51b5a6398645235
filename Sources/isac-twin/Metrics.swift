import ArgumentParser
import Foundation
import TwinMath
import TwinEngine
import TwinMetrics

/// Options shared by `metrics` and `compare`.
struct MetricsOptions: ParsableArguments {
    @Option(help: "Detection threshold δ in metres: an estimate within δ of a target (one-to-one) localises it.")
    var threshold = 1.0

    @Option(help: "OSPA/GOSPA cutoff c in metres.")
    var cutoff = 10.0

    @Option(help: "OSPA/GOSPA order p (≥ 1).")
    var order = 2.0

    @Flag(help: "Print JSON instead of a table (schema in README.md, \"Metrics\").")
    var json = false

    func validate() throws {
        if !threshold.isFinite || threshold <= 0 {
            throw ValidationError("--threshold must be a distance > 0 in metres, found \(threshold)")
        }
        if !cutoff.isFinite || cutoff <= 0 { throw ValidationError("--cutoff must be a distance > 0 in metres, found \(cutoff)") }
        if !order.isFinite || order < 1 { throw ValidationError("--order must be a number ≥ 1, found \(order)") }
    }

    var settings: MetricsSettings { MetricsSettings(threshold: threshold, cutoff: cutoff, order: order) }
}

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Score a recording: the raw localisations and the tracked twin against the truth.",
        discussion: """
            Targets of a frame are the movers heard in it (at least one Type II echo; every mover \
            when the recording has no observations). Estimates are matched to them one-to-one by \
            optimal assignment within --threshold. Prints, for the raw localisations and for the \
            twin (confirmed and coasting tracks): sensing continuity (overall and per target, with \
            the longest gap in frames), P_MD, P_FA, RMSE, error percentiles, mean OSPA and GOSPA \
            (α = 2) with their components; then the twin's SIAP completeness, ambiguity, \
            spuriousness, track-number change rate and ID switches.
            """)

    @Argument(help: "Recording file (SQLite).")
    var recording: String

    @OptionGroup var options: MetricsOptions

    @Flag(help: "With --json: include the sorted matched errors (the error CDF).")
    var errors = false

    @Option(
        help: ArgumentHelp(
            "Score only the floor rectangle xmin,ymin,xmax,ymax (m): targets are the movers inside it, heard or not.",
            valueName: "xmin,ymin,xmax,ymax"))
    var region: String?

    func validate() throws {
        if let region, FloorRegion(parsing: region) == nil {
            throw ValidationError(
                "--region must be four numbers xmin,ymin,xmax,ymax in metres with xmin < xmax and ymin < ymax, found '\(region)'")
        }
    }

    func run() throws {
        let area = region.flatMap(FloorRegion.init(parsing:))
        let m = try withUserErrors {
            try area.map { try RecordingMetrics(path: recording, settings: options.settings, region: $0) }
                ?? RecordingMetrics(path: recording, settings: options.settings)
        }
        let handover = try withUserErrors { try RecordingHandoverMetrics(path: recording) }
        if options.json {
            print(JSONCoding.text(MetricsOutput.json(m, errors: errors, handover: handover), pretty: true))
            return
        }
        print(MetricsOutput.header(m))
        print("")
        print(pad("", 34) + lpad("raw", 12) + lpad("tracked", 12))
        let rows = MetricsOutput.scalars(m)
        for (label, key) in MetricsOutput.pairedLabels {
            let raw = rows.first { $0.key == "raw." + key }!, tracked = rows.first { $0.key == "tracked." + key }!
            print(pad(label, 34) + lpad(MetricsOutput.format(raw.value, key), 12) + lpad(MetricsOutput.format(tracked.value, key), 12))
        }
        print("")
        print("twin tracks (SIAP, confirmed + coasting)")
        for row in rows where row.key.hasPrefix("tracks.") {
            print(pad(row.label, 34) + lpad(MetricsOutput.format(row.value, row.key), 12))
        }
        print("")
        print("raw localisations by infrastructure (tier/operator of their links' base stations)")
        let width = max(34, (m.infrastructure.map(\.label.count).max() ?? 0) + 2)
        print(pad("", width) + lpad("reported", 12) + lpad("P_FA", 12) + lpad("RMSE (m)", 12))
        for g in m.infrastructure {
            print(
                pad(g.label, width) + lpad("\(g.reported)", 12) + lpad(String(format: "%.3f", g.falseAlarmProbability), 12)
                    + lpad(g.rootMeanSquareError.map { String(format: "%.2g", $0) } ?? "n/a", 12))
        }
        print("")
        print("continuity per target (frames in which it exists; longest gap in frames)")
        print("   id  name               frames    raw   gap  tracked   gap")
        for (r, t) in zip(m.raw.continuity.targets, m.tracked.continuity.targets) {
            print(
                String(
                    format: "%5d  %@ %6d %6.3f %5d %8.3f %5d", r.id, pad(m.moverNames[r.id] ?? "?", 18), r.frames, r.fraction, r.longestGap,
                    t.fraction, t.longestGap))
        }
        if let handover { print(([""] + HandoverOutput.text(handover)).joined(separator: "\n")) }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Score two recordings side by side: A, B and B − A.",
        discussion: "The metrics of `isac-twin metrics` (raw, tracked and SIAP) of two recordings, with the difference.")

    @Argument(help: "First recording (A).")
    var a: String

    @Argument(help: "Second recording (B).")
    var b: String

    @OptionGroup var options: MetricsOptions

    func run() throws {
        let (ma, mb) = try withUserErrors {
            (try RecordingMetrics(path: a, settings: options.settings), try RecordingMetrics(path: b, settings: options.settings))
        }
        let ra = MetricsOutput.scalars(ma), rb = MetricsOutput.scalars(mb)
        let ha = try withUserErrors { try RecordingHandoverMetrics(path: a) }
        let hb = try withUserErrors { try RecordingHandoverMetrics(path: b) }
        if options.json {
            // Handover keys (`handover.*`) join the difference when both recordings have a policy.
            let handoverRows: [(key: String, a: Double, b: Double)] =
                if let ha, let hb { zip(HandoverOutput.rows(ha), HandoverOutput.rows(hb)).map { ($0.key, $0.value, $1.value) } } else { [] }
            var difference: [String: JSONNumber] = [:]
            for (x, y) in zip(ra, rb) { difference[x.key] = JSONNumber(y.value - x.value) }
            for row in handoverRows { difference[row.key] = JSONNumber(row.b - row.a) }
            print(
                JSONCoding.text(
                    CompareJSON(
                        a: MetricsOutput.json(ma, errors: false, handover: ha), b: MetricsOutput.json(mb, errors: false, handover: hb),
                        difference: difference), pretty: true))
            return
        }
        print("A  " + MetricsOutput.header(ma))
        print("B  " + MetricsOutput.header(mb))
        print("")
        print(pad("", 40) + lpad("A", 12) + lpad("B", 12) + lpad("B − A", 12))
        for (x, y) in zip(ra, rb) {
            print(
                pad(x.key, 40) + lpad(MetricsOutput.format(x.value, x.key), 12) + lpad(MetricsOutput.format(y.value, x.key), 12)
                    + lpad(MetricsOutput.format(y.value - x.value, x.key), 12))
        }
        // Handover rows when both recordings ran with a handover policy.
        if let ha, let hb {
            print("handover: A \(ha.policy.rawValue), B \(hb.policy.rawValue)")
            for (x, y) in zip(HandoverOutput.rows(ha), HandoverOutput.rows(hb)) {
                print(
                    pad(x.key, 40) + lpad(MetricsOutput.format(x.value, x.key), 12) + lpad(MetricsOutput.format(y.value, x.key), 12)
                        + lpad(MetricsOutput.format(y.value - x.value, x.key), 12))
            }
        }
    }
}

private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
private func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }

enum MetricsOutput {
    /// Rows of the raw/tracked table: label and key suffix.
    static let pairedLabels: [(String, String)] = [
        ("continuity (overall)", "continuity"), ("longest gap (frames)", "longestGap"), ("P_MD", "pMD"), ("P_FA", "pFA"),
        ("RMSE (m)", "rmse"), ("error p50 (m)", "p50"), ("error p90 (m)", "p90"), ("error p95 (m)", "p95"),
        ("OSPA (m, mean)", "ospa"), ("  localisation (m)", "ospaLocalization"), ("  cardinality (m)", "ospaCardinality"),
        ("GOSPA (m, mean)", "gospa"), ("  localisation (m^p)", "gospaLocalization"), ("  missed (m^p)", "gospaMissed"),
        ("  false (m^p)", "gospaFalse"),
    ]

    static func header(_ m: RecordingMetrics) -> String {
        let p = m.settings.order
        return String(
            format: "%@: %d frames (%.1f s), %@ %@; targets %@; δ = %@ m, OSPA/GOSPA c = %@ m, p = %@", m.recording, m.frames,
            m.duration, m.localizer ?? "?", m.tracker ?? "?", m.heardTargets ? "heard per frame" : "every mover (no observations)",
            "\(m.settings.threshold)", "\(m.settings.cutoff)", "\(p)")
    }

    /// Every scalar metric with a dotted key (the keys of `compare --json`'s "difference").
    static func scalars(_ m: RecordingMetrics) -> [(key: String, label: String, value: Double)] {
        func estimate(_ prefix: String, _ e: EstimateMetrics) -> [(key: String, label: String, value: Double)] {
            let values: [String: Double] = [
                "continuity": e.continuity.overall, "longestGap": Double(e.continuity.longestGap),
                "pMD": e.detection.missedDetectionProbability, "pFA": e.detection.falseAlarmProbability,
                "rmse": e.detection.rootMeanSquareError, "p50": e.accuracy.p50, "p90": e.accuracy.p90, "p95": e.accuracy.p95,
                "ospa": e.ospa.distance, "ospaLocalization": e.ospa.localization, "ospaCardinality": e.ospa.cardinality,
                "gospa": e.gospa.distance, "gospaLocalization": e.gospa.localization, "gospaMissed": e.gospa.missed,
                "gospaFalse": e.gospa.falseTargets,
            ]
            return pairedLabels.map { (key: prefix + "." + $0.1, label: $0.0, value: values[$0.1]!) }
        }
        let t = m.tracks
        return estimate("raw", m.raw) + estimate("tracked", m.tracked) + [
            ("tracks.completeness", "completeness", t.completeness), ("tracks.ambiguity", "ambiguity", t.ambiguity),
            ("tracks.spuriousness", "spuriousness", t.spuriousness),
            ("tracks.trackNumberChangeRate", "track-number changes (/target/s)", t.trackNumberChangeRate),
            ("tracks.idSwitches", "ID switches", Double(t.idSwitches)),
        ]
    }

    static func format(_ x: Double, _ key: String) -> String {
        guard x.isFinite else { return "–" }
        if key.hasSuffix("longestGap") || key.hasSuffix("idSwitches") { return String(Int(x)) }
        return String(format: "%.4g", x)
    }

    /// The object of `metrics --json` (with the handover section when the run had a policy).
    static func json(_ m: RecordingMetrics, errors: Bool, handover: RecordingHandoverMetrics?) -> MetricsJSON {
        func estimate(_ e: EstimateMetrics) -> MetricsJSON.Estimates {
            let d = e.detection, c = e.continuity
            let targets = c.targets.map {
                MetricsJSON.Target(
                    id: $0.id, name: m.moverNames[$0.id] ?? "", frames: $0.frames, covered: $0.covered, fraction: JSONNumber($0.fraction),
                    longestGap: $0.longestGap)
            }
            return MetricsJSON.Estimates(
                truths: d.truths, reported: d.reported, correct: d.correct, pMD: JSONNumber(d.missedDetectionProbability),
                pFA: JSONNumber(d.falseAlarmProbability), rmse: JSONNumber(optional: d.rootMeanSquareError), p50: JSONNumber(e.accuracy.p50),
                p90: JSONNumber(e.accuracy.p90), p95: JSONNumber(e.accuracy.p95),
                continuity: .init(overall: JSONNumber(c.overall), longestGap: c.longestGap, targets: targets),
                ospa: .init(
                    mean: JSONNumber(e.ospa.distance), localization: JSONNumber(e.ospa.localization),
                    cardinality: JSONNumber(e.ospa.cardinality)),
                gospa: .init(
                    mean: JSONNumber(e.gospa.distance), localization: JSONNumber(e.gospa.localization), missed: JSONNumber(e.gospa.missed),
                    false: JSONNumber(e.gospa.falseTargets)),
                errors: errors ? e.accuracy.sortedErrors.map { JSONNumber($0) } : nil)
        }
        let t = m.tracks
        return MetricsJSON(
            recording: m.recording, frames: m.frames, duration: JSONNumber(m.duration), frameDuration: JSONNumber(m.frameDuration),
            localizer: m.localizer, tracker: m.tracker, targets: m.heardTargets ? "heard" : "all",
            threshold: JSONNumber(m.settings.threshold), cutoff: JSONNumber(m.settings.cutoff), order: JSONNumber(m.settings.order),
            raw: estimate(m.raw), tracked: estimate(m.tracked),
            tracks: .init(
                completeness: JSONNumber(t.completeness), ambiguity: JSONNumber(t.ambiguity), spuriousness: JSONNumber(t.spuriousness),
                trackNumberChangeRate: JSONNumber(t.trackNumberChangeRate), idSwitches: t.idSwitches, targetFrames: t.targetFrames,
                trackedTargetFrames: t.trackedTargetFrames, trackFrames: t.trackFrames, assignedTrackFrames: t.assignedTrackFrames),
            infrastructure: m.infrastructure.map {
                MetricsJSON.Group(
                    group: $0.label, reported: $0.reported, correct: $0.correct, pFA: JSONNumber($0.falseAlarmProbability),
                    rmse: JSONNumber(optional: $0.rootMeanSquareError))
            },
            handover: handover.map(HandoverOutput.json))
    }
}
