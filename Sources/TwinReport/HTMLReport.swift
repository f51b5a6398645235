import Foundation
import TwinMath
import TwinMetrics
import TwinStore
import TwinWorld

/// Everything a report shows: the recording's frames, its world, and the metrics computed
/// from them (`RecordingMetrics` in TwinEngine builds one; this module computes no metric of
/// its own except the per-frame coverage, by the metrics' own matching).
public struct ReportInput: Sendable {
    public var recording: String
    public var worldFile: String
    /// The world decoded from the recording's `worldText` (nil when it no longer decodes).
    public var world: WorldSpec?
    public var seed: UInt64
    public var frameDuration: Double
    public var duration: Double
    public var localizer: String?
    public var tracker: String?
    public var heardTargets: Bool
    public var settings: MetricsSettings
    public var moverNames: [Int: String]
    public var frames: [Recording.ScoringFrame]
    /// Metrics inputs (targets with raw localisations, and with confirmed + coasting tracks).
    public var rawFrames: [MetricsFrame]
    public var trackedFrames: [MetricsFrame]
    public var raw: EstimateMetrics
    public var tracked: EstimateMetrics
    public var tracks: TrackMetrics

    public init(
        recording: String, worldFile: String, world: WorldSpec?, seed: UInt64, frameDuration: Double, duration: Double,
        localizer: String?, tracker: String?, heardTargets: Bool, settings: MetricsSettings, moverNames: [Int: String],
        frames: [Recording.ScoringFrame], rawFrames: [MetricsFrame], trackedFrames: [MetricsFrame], raw: EstimateMetrics,
        tracked: EstimateMetrics, tracks: TrackMetrics
    ) {
        self.recording = recording
        self.worldFile = worldFile
        self.world = world
        self.seed = seed
        self.frameDuration = frameDuration
        self.duration = duration
        self.localizer = localizer
        self.tracker = tracker
        self.heardTargets = heardTargets
        self.settings = settings
        self.moverNames = moverNames
        self.frames = frames
        self.rawFrames = rawFrames
        self.trackedFrames = trackedFrames
        self.raw = raw
        self.tracked = tracked
        self.tracks = tracks
    }
}

/// One self-contained HTML page (inline CSS, SVG and JavaScript; no network) showing a
/// recording: map with trajectories and an animation, error CDF, continuity per target over
/// time and the metrics table. The charts are drawn here, in Swift, so they exist without
/// JavaScript; the script only animates the markers and reports what it rendered in
/// `data-*` attributes of `<body>` (`data-rendered="ok"`, `data-truth-markers`,
/// `data-track-markers`, `data-cdf-points`).
public enum HTMLReport {
    /// Most frames the trajectories and the animation keep (every k-th frame beyond it).
    public static let maxAnimationFrames = 2000

    /// A metric as the table prints it: 4 significant digits, "–" when not finite.
    public static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "–" }

    /// The metrics table: key (`raw.rmse`, `tracks.idSwitches`, …), label, value.
    public static func tableRows(_ input: ReportInput) -> [(key: String, label: String, raw: String, tracked: String)] {
        func pair(_ key: String, _ label: String, _ value: (EstimateMetrics) -> Double) -> (String, String, String, String) {
            (key, label, format(value(input.raw)), format(value(input.tracked)))
        }
        return [
            pair("continuity", "continuity (overall)", { $0.continuity.overall }),
            ("longestGap", "longest gap (frames)", String(input.raw.continuity.longestGap), String(input.tracked.continuity.longestGap)),
            pair("pMD", "P_MD", { $0.detection.missedDetectionProbability }),
            pair("pFA", "P_FA", { $0.detection.falseAlarmProbability }),
            pair("rmse", "RMSE (m)", { $0.detection.rootMeanSquareError }),
            pair("p50", "error p50 (m)", { $0.accuracy.p50 }),
            pair("p90", "error p90 (m)", { $0.accuracy.p90 }),
            pair("p95", "error p95 (m)", { $0.accuracy.p95 }),
            pair("ospa", "OSPA (m, mean)", { $0.ospa.distance }),
            pair("gospa", "GOSPA (m, mean)", { $0.gospa.distance }),
        ].map { (key: $0.0, label: $0.1, raw: $0.2, tracked: $0.3) }
    }

    /// The twin's SIAP rows: key, label, value.
    public static func trackRows(_ input: ReportInput) -> [(key: String, label: String, value: String)] {
        let t = input.tracks
        return [
            ("completeness", "SIAP completeness", format(t.completeness)),
            ("ambiguity", "SIAP ambiguity", format(t.ambiguity)),
            ("spuriousness", "SIAP spuriousness", format(t.spuriousness)),
            ("trackNumberChangeRate", "track-number changes (/target/s)", format(t.trackNumberChangeRate)),
            ("idSwitches", "ID switches", String(t.idSwitches)),
        ].map { (key: $0.0, label: $0.1, value: $0.2) }
    }

    public static func render(_ input: ReportInput) -> String {
        var page = Page(input: input)
        return page.html()
    }
}

// MARK: - Page

private let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939",
]

/// HTML-escapes text for element content and double-quoted attributes. Works on Unicode
/// scalars, not Characters: a quote followed by a combining mark is one Character that is not
/// equal to `"`, and must still be escaped.
func esc(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// JSON for a `<script type="application/json">` block: `JSONCoding`'s text with `<`, `>`
/// and `&` as Unicode escapes, so that no text in it can close the element or start markup
/// (in JSON they can only stand inside strings, where the escapes mean the same characters).
func scriptJSON<T: Encodable>(_ value: T) -> String {
    var out = ""
    for u in JSONCoding.text(value).unicodeScalars {
        switch u {
        case "<": out += "\\u003c"
        case ">": out += "\\u003e"
        case "&": out += "\\u0026"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// Centimetres, shortest form ("12.35", "-3", "0.5").
private func cm(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    let r = (x * 100).rounded() / 100
    if r == r.rounded() { return String(Int(r)) }
    return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
}

private func f1(_ x: Double) -> String { String(format: "%.1f", x) }

private func trackColor(_ id: Int) -> String { "hsl(\((id * 67) % 360),75%,38%)" }

private struct Page {
    let input: ReportInput
    let size: Point2
    let scale: Double
    let margin = 28.0
    let moverIds: [Int]
    let stride: Int

    init(input: ReportInput) {
        self.input = input
        if let world = input.world {
            size = world.map.size
        } else {
            var m = Point2(10, 10)
            for f in input.frames { for t in f.truth { m = Point2(max(m.x, t.position.x + 5), max(m.y, t.position.y + 5)) } }
            size = m
        }
        scale = min(1100 / max(size.x, 1), 700 / max(size.y, 1))
        var ids = Set(input.moverNames.keys)
        for f in input.frames { for t in f.truth { ids.insert(t.id) } }
        moverIds = ids.sorted()
        stride = max(1, (input.frames.count + HTMLReport.maxAnimationFrames - 1) / HTMLReport.maxAnimationFrames)
    }

    func px(_ x: Double) -> String { f1(margin + x * scale) }
    func py(_ y: Double) -> String { f1(margin + (size.y - y) * scale) }
    var width: Double { 2 * margin + size.x * scale }
    var height: Double { 2 * margin + size.y * scale }
    func moverColor(_ id: Int) -> String { palette[(moverIds.firstIndex(of: id) ?? 0) % palette.count] }
    func name(_ id: Int) -> String { input.moverNames[id] ?? "mover \(id)" }

    func points(_ ps: [Point2]) -> String { ps.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ") }

    var sampled: [Recording.ScoringFrame] {
        let frames = input.frames
        guard stride > 1, !frames.isEmpty else { return frames }
        var out = Swift.stride(from: 0, to: frames.count, by: stride).map { frames[$0] }
        if out.last?.frameIndex != frames.last?.frameIndex { out.append(frames.last!) }
        return out
    }

    mutating func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>isac-twin report: \(esc(input.recording))</title>
        <style>\(css)</style>
        </head>
        <body>
        \(header())
        <section><h2>Map and animation</h2>
        \(controls())
        \(map())
        </section>
        <section><h2>Metrics</h2>\(metricsTable())</section>
        <section><h2>Localisation error CDF</h2>\(cdf())</section>
        <section><h2>Continuity over time</h2>\(continuity())</section>
        <script type="application/json" id="report-data">\(dataJSON())</script>
        <script>\(script)</script>
        </body>
        </html>

        """
    }

    func header() -> String {
        let description = input.world?.description ?? ""
        let rows: [(String, String)] = [
            ("recording", input.recording), ("world", input.worldFile + (description.isEmpty ? "" : " — " + description)),
            ("seed", String(input.seed)),
            ("frames", "\(input.frames.count) (\(String(format: "%.1f", input.duration)) s, dt = \(input.frameDuration) s)"),
            ("localizer", input.localizer ?? "?"), ("tracker", input.tracker ?? "?"),
            ("targets", input.heardTargets ? "movers heard per frame" : "every mover (no observations)"),
            (
                "settings",
                "δ = \(input.settings.threshold) m, OSPA/GOSPA c = \(input.settings.cutoff) m, p = \(input.settings.order)"
            ),
        ]
        return "<header><h1>isac-twin report</h1><table class=\"info\">"
            + rows.map { "<tr><th>\($0.0)</th><td class=\"info-\($0.0)\">\(esc($0.1))</td></tr>" }.joined() + "</table></header>"
    }

    func controls() -> String {
        """
        <div class="controls"><button id="play" type="button">Play</button>
        <input id="slider" type="range" min="0" max="\(max(sampled.count - 1, 0))" value="\(max(sampled.count - 1, 0))">
        <span id="time">–</span>
        <span class="legend"><span class="sw" style="background:#555"></span>truth (thin) / marker ●
        <span class="sw" style="background:#c33"></span>track (dashed) / marker ◆ with id
        <span class="sw" style="background:#06c"></span>micro BS ▲ <span class="sw" style="background:#b00"></span>macro BS ▲
        <span class="sw" style="background:#808"></span>RIS</span></div>
        """
    }

    func map() -> String {
        var s = "<svg id=\"map\" width=\"\(f1(width))\" height=\"\(f1(height))\" viewBox=\"0 0 \(f1(width)) \(f1(height))\">"
        s += "<rect class=\"hall\" x=\"\(px(0))\" y=\"\(py(size.y))\" width=\"\(f1(size.x * scale))\" height=\"\(f1(size.y * scale))\"/>"
        // Scale bar and axis labels (metres).
        let step = [1.0, 2, 5, 10, 20, 50, 100, 200, 500, 1000].first { $0 * scale >= 60 } ?? 1000
        var x = 0.0
        while x <= size.x + 1e-9 {
            s += "<text class=\"axis\" x=\"\(px(x))\" y=\"\(f1(height - 8))\" text-anchor=\"middle\">\(cm(x))</text>"
            x += step
        }
        var y = 0.0
        while y <= size.y + 1e-9 {
            s += "<text class=\"axis\" x=\"\(f1(margin - 4))\" y=\"\(py(y))\" text-anchor=\"end\" dy=\"4\">\(cm(y))</text>"
            y += step
        }
        if let world = input.world {
            switch world.map {
            case .factory(let hall):
                for a in hall.aisles {
                    let ps = a.path.points.map { Point2($0.x, $0.y) } + (a.closed ? [Point2(a.path.points[0].x, a.path.points[0].y)] : [])
                    s += "<polyline class=\"aisle\" data-name=\"\(esc(a.name))\" points=\"\(points(ps))\"/>"
                }
            case .road(let road):
                for lane in road.lanes {
                    s +=
                        "<polyline class=\"lane\" data-name=\"\(esc(lane.name))\" points=\"\(points(lane.path.points.map { Point2($0.x, $0.y) }))\"/>"
                }
            }
            for o in world.map.obstacles {
                s +=
                    "<polygon class=\"obstacle\" data-name=\"\(esc(o.name))\" points=\"\(points(o.footprint))\"><title>\(esc(o.name)) (\(esc(o.kind)))</title></polygon>"
            }
        }
        // True trajectories and tracks (subsampled).
        let frames = sampled
        var truth: [Int: [Point2]] = [:], tracks: [Int: [Point2]] = [:]
        for f in frames {
            for t in f.truth { truth[t.id, default: []].append(Point2(t.position.x, t.position.y)) }
            for t in f.tracks where t.status != .tentative { tracks[t.id, default: []].append(Point2(t.position.x, t.position.y)) }
        }
        for id in moverIds {
            s +=
                "<polyline class=\"truth\" data-mover=\"\(id)\" stroke=\"\(moverColor(id))\" points=\"\(points(truth[id] ?? []))\"><title>\(esc(name(id)))</title></polyline>"
        }
        for id in tracks.keys.sorted() {
            s +=
                "<polyline class=\"track\" data-track=\"\(id)\" stroke=\"\(trackColor(id))\" points=\"\(points(tracks[id]!))\"><title>track \(id)</title></polyline>"
        }
        if let world = input.world {
            for r in world.ris {
                let d = Point2(-sin(r.azimuth), cos(r.azimuth)) * 1.5
                let a = Point2(r.position.x, r.position.y) - d, b = Point2(r.position.x, r.position.y) + d
                s += "<g class=\"ris\"><line x1=\"\(px(a.x))\" y1=\"\(py(a.y))\" x2=\"\(px(b.x))\" y2=\"\(py(b.y))\"/>"
                s += "<text x=\"\(px(r.position.x))\" y=\"\(py(r.position.y))\" dx=\"6\" dy=\"12\">\(esc(r.name))</text></g>"
            }
            for bs in world.baseStations {
                let cx = margin + bs.position.x * scale, cy = margin + (size.y - bs.position.y) * scale
                s +=
                    "<g class=\"bs \(bs.tier.rawValue)\"><polygon points=\"\(f1(cx)),\(f1(cy - 7)) \(f1(cx - 6)),\(f1(cy + 4)) \(f1(cx + 6)),\(f1(cy + 4))\"/>"
                s +=
                    "<text x=\"\(f1(cx + 7))\" y=\"\(f1(cy - 4))\">\(esc(bs.name))</text><title>\(esc(bs.name)) (\(bs.tier.rawValue), z = \(cm(bs.position.z)) m)</title></g>"
            }
        }
        s += "<g id=\"markers\"></g></svg>"
        return s
    }

    func metricsTable() -> String {
        var s = "<table class=\"metrics\"><tr><th></th><th>raw localisations</th><th>tracked twin</th></tr>"
        for r in HTMLReport.tableRows(input) {
            s +=
                "<tr><th>\(esc(r.label))</th><td data-key=\"raw.\(r.key)\">\(r.raw)</td><td data-key=\"tracked.\(r.key)\">\(r.tracked)</td></tr>"
        }
        for r in HTMLReport.trackRows(input) {
            s += "<tr><th>\(esc(r.label))</th><td></td><td data-key=\"tracks.\(r.key)\">\(r.value)</td></tr>"
        }
        return s + "</table>"
    }

    func cdf() -> String {
        let w = 760.0, h = 360.0, left = 60.0, right = 20.0, top = 16.0, bottom = 46.0
        // Log x axis over whole decades: matched errors span from micrometres (a clean
        // monostatic fit) to δ.
        let all = input.raw.accuracy.sortedErrors + input.tracked.accuracy.sortedErrors
        let smallest = all.filter { $0 > 0 }.min() ?? input.settings.threshold / 100
        let lo = floor(log10(max(smallest, 1e-7))), hi = max(ceil(log10(max(input.settings.threshold, all.max() ?? 0))), lo + 1)
        let xmin = pow(10, lo), xmax = pow(10, hi)
        func X(_ v: Double) -> Double { left + (log10(max(v, xmin)) - lo) / (hi - lo) * (w - left - right) }
        func Y(_ v: Double) -> Double { top + (1 - v) * (h - top - bottom) }
        var s = "<svg id=\"cdf\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\">"
        for k in Int(lo)...Int(hi) {
            let v = pow(10, Double(k))
            s += "<line class=\"grid\" x1=\"\(f1(X(v)))\" y1=\"\(f1(Y(0)))\" x2=\"\(f1(X(v)))\" y2=\"\(f1(Y(1)))\"/>"
            let label = k >= -2 && k <= 3 ? String(format: "%g", v) : "1e\(k)"
            s += "<text class=\"axis\" x=\"\(f1(X(v)))\" y=\"\(f1(Y(0) + 16))\" text-anchor=\"middle\">\(label)</text>"
        }
        for k in 0...4 {
            let v = Double(k) / 4
            s += "<line class=\"grid\" x1=\"\(f1(X(xmin)))\" y1=\"\(f1(Y(v)))\" x2=\"\(f1(X(xmax)))\" y2=\"\(f1(Y(v)))\"/>"
            s +=
                "<text class=\"axis\" x=\"\(f1(X(xmin) - 6))\" y=\"\(f1(Y(v) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", v))</text>"
        }
        let dx = X(input.settings.threshold)
        s += "<line class=\"delta\" x1=\"\(f1(dx))\" y1=\"\(f1(Y(0)))\" x2=\"\(f1(dx))\" y2=\"\(f1(Y(1)))\"/>"
        s +=
            "<text class=\"axis\" x=\"\(f1((X(xmin) + X(xmax)) / 2))\" y=\"\(f1(h - 8))\" text-anchor=\"middle\">matched error (m), log scale; dashed: δ = \(input.settings.threshold) m</text>"
        s +=
            "<text class=\"axis\" transform=\"translate(14,\(f1((Y(0) + Y(1)) / 2))) rotate(-90)\" text-anchor=\"middle\">fraction ≤ x</text>"
        for (cls, label, color, e) in [
            ("raw", "raw", "#d62828", input.raw.accuracy), ("tracked", "tracked", "#1d4ed8", input.tracked.accuracy),
        ] {
            let n = e.sortedErrors.count
            guard n > 0 else { continue }
            let step = max(1, n / 600)
            var pts: [(Double, Double)] = [(e.sortedErrors[0], 0)]
            var i = 0
            while i < n {
                pts.append((e.sortedErrors[i], Double(i + 1) / Double(n)))
                i += step
            }
            if pts.last!.1 < 1 { pts.append((e.sortedErrors[n - 1], 1)) }
            s +=
                "<polyline class=\"cdf \(cls)\" stroke=\"\(color)\" data-points=\"\(pts.count)\" points=\""
                + pts.map { "\(f1(X($0.0))),\(f1(Y($0.1)))" }.joined(separator: " ") + "\"/>"
            let ly = cls == "raw" ? 0.3 : 0.2
            s +=
                "<line x1=\"\(f1(X(xmax) - 250))\" y1=\"\(f1(Y(ly)))\" x2=\"\(f1(X(xmax) - 220))\" y2=\"\(f1(Y(ly)))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
            s +=
                "<text class=\"axis\" x=\"\(f1(X(xmax) - 214))\" y=\"\(f1(Y(ly) + 4))\">\(label) (n = \(n), p50 \(HTMLReport.format(e.p50)) m)</text>"
        }
        return s + "</svg>"
    }

    func continuity() -> String {
        let raw = Continuity.coverage(frames: input.rawFrames, threshold: input.settings.threshold)
        let twin = Continuity.coverage(frames: input.trackedFrames, threshold: input.settings.threshold)
        let n = max(raw.count, 1)
        let labelWidth = 150.0, plot = 1000.0, rowH = 22.0, lane = 9.0
        let w = labelWidth + plot + 20, h = Double(moverIds.count) * rowH + 40
        func X(_ frame: Int) -> Double { labelWidth + Double(frame) / Double(n) * plot }
        // Per mover: state per frame, 0 = not a target, 1 = covered, 2 = gap.
        func states(_ coverage: [[(id: Int, covered: Bool)]], _ id: Int) -> [UInt8] {
            coverage.map { f in f.first { $0.id == id }.map { $0.covered ? 1 : 2 } ?? 0 }
        }
        var s =
            "<p class=\"note\">Per mover: upper lane raw localisations, lower lane tracked twin. Green: a matched estimate within δ; red: a target without one (gap); blank: the mover is not a target in that frame (not heard).</p>"
        s += "<svg id=\"continuity\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\">"
        for (row, id) in moverIds.enumerated() {
            let y0 = 4 + Double(row) * rowH
            s +=
                "<g class=\"continuity-row\" data-mover=\"\(id)\"><text class=\"axis\" x=\"4\" y=\"\(f1(y0 + 14))\">\(esc(name(id)))</text>"
            s += "<rect class=\"lane-bg\" x=\"\(f1(labelWidth))\" y=\"\(f1(y0))\" width=\"\(f1(plot))\" height=\"\(f1(2 * lane + 1))\"/>"
            for (k, coverage) in [raw, twin].enumerated() {
                let st = states(coverage, id)
                var i = 0
                while i < st.count {
                    var j = i
                    while j < st.count && st[j] == st[i] { j += 1 }
                    if st[i] != 0 {
                        s +=
                            "<rect class=\"\(st[i] == 1 ? "cov-ok" : "cov-gap")\" x=\"\(f1(X(i)))\" y=\"\(f1(y0 + Double(k) * (lane + 1)))\" width=\"\(f1(max(X(j) - X(i), 0.6)))\" height=\"\(f1(lane))\"/>"
                    }
                    i = j
                }
            }
            s += "</g>"
        }
        let y1 = 4 + Double(moverIds.count) * rowH + 14
        let times = input.frames.map(\.time)
        if let first = times.first, let last = times.last {
            for k in 0...5 {
                let i = min(n - 1, Int(Double(n - 1) * Double(k) / 5))
                s +=
                    "<text class=\"axis\" x=\"\(f1(X(i)))\" y=\"\(f1(y1))\" text-anchor=\"middle\">\(String(format: "%.1f", times[min(i, times.count - 1)])) s</text>"
            }
            _ = (first, last)
        }
        return s + "</svg>"
    }

    /// `{"scale", "margin", "sizeY", "intervalMs", "movers": [{"id", "name", "color"}],
    /// "frames": [{"i", "t", "m": [[id, x, y]], "k": [[id, x, y, confirmed 1 / coasting 0]]}]}`,
    /// positions in metres rounded to centimetres.
    func dataJSON() -> String {
        struct Mover: Encodable {
            var id: Int
            var name: String
            var color: String
        }
        struct Frame: Encodable {
            var i: Int
            var t: JSONNumber
            var m: [[JSONNumber]]
            var k: [[JSONNumber]]
        }
        struct Data: Encodable {
            var scale: Double
            var margin: Double
            var sizeY: Double
            var intervalMs: Int
            var movers: [Mover]
            var frames: [Frame]
        }
        func centimetres(_ x: Double) -> JSONNumber { JSONNumber((x * 100).rounded() / 100) }
        let frames = sampled.map { f in
            Frame(
                i: f.frameIndex, t: centimetres(f.time),
                m: f.truth.map { [JSONNumber(Double($0.id)), centimetres($0.position.x), centimetres($0.position.y)] },
                k: f.tracks.filter { $0.status != .tentative }.map {
                    [JSONNumber(Double($0.id)), centimetres($0.position.x), centimetres($0.position.y), $0.status == .confirmed ? 1 : 0]
                })
        }
        return scriptJSON(
            Data(
                scale: scale, margin: margin, sizeY: size.y, intervalMs: Int(max(20, input.frameDuration * Double(stride) * 500)),
                movers: moverIds.map { Mover(id: $0, name: name($0), color: moverColor($0)) }, frames: frames))
    }
}

private let css = """
    body{font-family:system-ui,sans-serif;margin:16px 24px;color:#222;background:#fafafa}
    h1{margin:0 0 8px}h2{margin:18px 0 6px;font-size:18px}
    table{border-collapse:collapse;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
    table.metrics td{text-align:right;font-variant-numeric:tabular-nums}
    svg{background:#fff;border:1px solid #ccc;display:block}
    .hall{fill:#f4f1ea;stroke:#333;stroke-width:2}
    .obstacle{fill:#9aa3ad;stroke:#5b636b;stroke-width:1}
    .aisle,.lane{fill:none;stroke:#e0c068;stroke-width:6;stroke-linecap:round;stroke-linejoin:round;opacity:.6}
    .truth{fill:none;stroke-width:1.2;opacity:.75}
    .track{fill:none;stroke-width:1.6;stroke-dasharray:5 3;opacity:.85}
    .bs.micro polygon{fill:#06c}.bs.macro polygon{fill:#b00}.bs text{font-size:9px;fill:#335}
    .ris line{stroke:#808;stroke-width:4}.ris text{font-size:9px;fill:#808}
    .axis{font-size:11px;fill:#444}.grid{stroke:#e5e5e5}
    .cdf{fill:none;stroke-width:2}.cdf.raw{stroke-width:5;opacity:.5}.delta{stroke:#888;stroke-dasharray:4 3}
    .lane-bg{fill:#f0f0f0}.cov-ok{fill:#2a9d4b}.cov-gap{fill:#d62828}
    .truth-marker{stroke:#000;stroke-width:1}.track-marker text{font-size:10px;font-weight:bold}
    .controls{margin:6px 0;display:flex;gap:10px;align-items:center;font-size:13px}
    #slider{width:420px}.legend{color:#444}.sw{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}
    .note{font-size:12px;color:#555;margin:2px 0 6px}
    """

private let script = """
    (function () {
      var D = JSON.parse(document.getElementById('report-data').textContent);
      var svg = document.getElementById('map'), layer = document.getElementById('markers');
      var NS = svg.namespaceURI;
      function px(x) { return D.margin + x * D.scale; }
      function py(y) { return D.margin + (D.sizeY - y) * D.scale; }
      function color(id) { return 'hsl(' + ((id * 67) % 360) + ',75%,38%)'; }
      var truth = {}, nTruth = 0;
      D.movers.forEach(function (m) {
        var c = document.createElementNS(NS, 'circle');
        c.setAttribute('r', 5); c.setAttribute('class', 'truth-marker'); c.setAttribute('fill', m.color);
        var t = document.createElementNS(NS, 'title'); t.textContent = m.name; c.appendChild(t);
        layer.appendChild(c); truth[m.id] = c; nTruth++;
      });
      var ids = {};
      D.frames.forEach(function (f) { f.k.forEach(function (k) { ids[k[0]] = true; }); });
      var tracks = {}, nTracks = 0;
      Object.keys(ids).forEach(function (id) {
        var g = document.createElementNS(NS, 'g'); g.setAttribute('class', 'track-marker');
        var p = document.createElementNS(NS, 'polygon');
        p.setAttribute('points', '0,-6 6,0 0,6 -6,0'); p.setAttribute('fill', color(+id)); p.setAttribute('stroke', '#fff');
        var t = document.createElementNS(NS, 'text');
        t.setAttribute('x', 7); t.setAttribute('y', -5); t.setAttribute('fill', color(+id)); t.textContent = id;
        g.appendChild(p); g.appendChild(t); layer.appendChild(g); tracks[id] = { g: g, p: p }; nTracks++;
      });
      var slider = document.getElementById('slider'), label = document.getElementById('time'), button = document.getElementById('play');
      function show(i) {
        var f = D.frames[i]; if (!f) return;
        Object.keys(truth).forEach(function (id) { truth[id].style.display = 'none'; });
        f.m.forEach(function (m) {
          var c = truth[m[0]]; if (!c) return;
          c.setAttribute('cx', px(m[1])); c.setAttribute('cy', py(m[2])); c.style.display = '';
        });
        Object.keys(tracks).forEach(function (id) { tracks[id].g.style.display = 'none'; });
        var shown = 0;
        f.k.forEach(function (k) {
          var t = tracks[k[0]]; if (!t) return;
          t.g.setAttribute('transform', 'translate(' + px(k[1]) + ',' + py(k[2]) + ')');
          t.p.setAttribute('fill-opacity', k[3] ? 1 : 0.35); t.g.style.display = ''; shown++;
        });
        label.textContent = 't = ' + f.t.toFixed(1) + ' s (frame ' + f.i + '), ' + f.m.length + ' movers, ' + shown + ' tracks';
      }
      var timer = null;
      function stop() { if (timer) { clearInterval(timer); timer = null; } button.textContent = 'Play'; }
      button.addEventListener('click', function () {
        if (timer) { stop(); return; }
        if (+slider.value >= D.frames.length - 1) slider.value = 0;
        button.textContent = 'Pause';
        timer = setInterval(function () {
          var i = +slider.value + 1;
          if (i >= D.frames.length) { stop(); return; }
          slider.value = i; show(i);
        }, D.intervalMs);
      });
      slider.addEventListener('input', function () { show(+slider.value); });
      show(D.frames.length - 1);
      var cdfPoints = 0;
      Array.prototype.forEach.call(document.querySelectorAll('polyline.cdf'), function (p) { cdfPoints += p.points.numberOfItems; });
      document.body.dataset.truthMarkers = nTruth;
      document.body.dataset.trackMarkers = nTracks;
      document.body.dataset.cdfPoints = cdfPoints;
      document.body.dataset.frames = D.frames.length;
      document.body.dataset.rendered = 'ok';
    })();
    """
