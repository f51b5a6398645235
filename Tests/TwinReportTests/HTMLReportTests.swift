import Foundation
import Testing
import TwinEngine
import TwinMetrics
import TwinStore
import TwinWorld

@testable import TwinReport

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One short factory recording shared by the tests (3 s, 30 frames).
let factoryRecording: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isac-twin-report-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("factory.sqlite").path
    let sim = try! Simulation(
        worldFile: packageRoot.appendingPathComponent("worlds/factory.yaml").path,
        options: RunOptions(duration: 3, recordPath: path, commandLine: "test"))
    _ = try! sim.run()
    return path
}()

func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

/// The text of `<td data-key="KEY">…</td>`.
func cell(_ key: String, in html: String) -> String? {
    guard let start = html.range(of: "data-key=\"\(key)\">") else { return nil }
    return html[start.upperBound...].prefix { $0 != "<" }.description
}

struct HTMLReportTests {
    @Test func mapHasTheWorldsObstaclesBaseStationsAndTruth() throws {
        let (html, m) = try RecordingReport.render(path: factoryRecording)
        let spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/factory.yaml").path)
        #expect(spec.map.obstacles.count > 0)
        #expect(occurrences("<polygon class=\"obstacle\"", in: html) == spec.map.obstacles.count)
        #expect(occurrences("<g class=\"bs ", in: html) == spec.baseStations.count)
        #expect(occurrences("<g class=\"bs micro\"", in: html) == spec.baseStations.filter { $0.tier == .micro }.count)
        if case .factory(let hall) = spec.map { #expect(occurrences("<polyline class=\"aisle\"", in: html) == hall.aisles.count) }
        let movers = try Recording(path: factoryRecording).movers()
        #expect(occurrences("<polyline class=\"truth\"", in: html) == movers.count)
        #expect(m.frames == 30)
        #expect(occurrences("<g class=\"continuity-row\"", in: html) == movers.count)
        #expect(html.contains("<input id=\"slider\" type=\"range\" min=\"0\" max=\"29\""))
        #expect(occurrences("<polyline class=\"cdf ", in: html) == 2)
    }

    @Test func metricsTableEqualsRecordingMetrics() throws {
        let settings = MetricsSettings(threshold: 0.7)
        let (html, _) = try RecordingReport.render(path: factoryRecording, settings: settings)
        let m = try RecordingMetrics(path: factoryRecording, settings: settings)
        let f = HTMLReport.format
        for (prefix, e) in [("raw", m.raw), ("tracked", m.tracked)] {
            #expect(cell("\(prefix).continuity", in: html) == f(e.continuity.overall))
            #expect(cell("\(prefix).longestGap", in: html) == String(e.continuity.longestGap))
            #expect(cell("\(prefix).pMD", in: html) == f(e.detection.missedDetectionProbability))
            #expect(cell("\(prefix).pFA", in: html) == f(e.detection.falseAlarmProbability))
            #expect(cell("\(prefix).rmse", in: html) == f(e.detection.rootMeanSquareError))
            #expect(cell("\(prefix).p50", in: html) == f(e.accuracy.p50))
            #expect(cell("\(prefix).p90", in: html) == f(e.accuracy.p90))
            #expect(cell("\(prefix).p95", in: html) == f(e.accuracy.p95))
            #expect(cell("\(prefix).ospa", in: html) == f(e.ospa.distance))
            #expect(cell("\(prefix).gospa", in: html) == f(e.gospa.distance))
        }
        #expect(cell("tracks.completeness", in: html) == f(m.tracks.completeness))
        #expect(cell("tracks.ambiguity", in: html) == f(m.tracks.ambiguity))
        #expect(cell("tracks.spuriousness", in: html) == f(m.tracks.spuriousness))
        #expect(cell("tracks.idSwitches", in: html) == String(m.tracks.idSwitches))
        #expect(f(m.raw.detection.rootMeanSquareError) != "–")
        #expect(html.contains("δ = 0.7 m"))
    }

    @Test func pageIsSelfContainedWithValidEmbeddedJSON() throws {
        let (html, m) = try RecordingReport.render(path: factoryRecording)
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link") && !html.contains("src="))
        let open = "<script type=\"application/json\" id=\"report-data\">"
        let start = try #require(html.range(of: open))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = Data(html[start.upperBound..<end.lowerBound].utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let frames = try #require(object["frames"] as? [[String: Any]])
        #expect(frames.count == m.frames)
        let movers = try #require(object["movers"] as? [[String: Any]])
        #expect(movers.count == m.moverNames.count)
        let truth = try #require(frames.last?["m"] as? [[Double]])
        #expect(truth.count == m.moverNames.count && truth.allSatisfy { $0.count == 3 })
        // Centimetre rounding: no coordinate or time has more than two decimals.
        for frame in frames {
            let values = ((frame["m"] as? [[Double]]) ?? []).flatMap { $0 } + ((frame["k"] as? [[Double]]) ?? []).flatMap { $0 }
            for v in values + [try #require(frame["t"] as? Double)] { #expect(abs(v * 100 - (v * 100).rounded()) < 1e-6, "\(v)") }
        }
    }

    @Test func coverageAgreesWithContinuity() throws {
        let stored = try Recording(path: factoryRecording).scoringFrames()
        let (raw, _) = RecordingMetrics.inputs(stored)
        let metrics = EstimateMetrics(frames: raw, settings: MetricsSettings(threshold: 1))
        let coverage = Continuity.coverage(frames: raw, threshold: 1)
        #expect(coverage.count == raw.count)
        for target in metrics.continuity.targets {
            let flags = coverage.flatMap { $0.filter { $0.id == target.id } }
            #expect(flags.count == target.frames)
            #expect(flags.filter(\.covered).count == target.covered)
        }
    }
}

/// Names from a world file cannot break out of the report's attributes or elements: a quote
/// followed by a combining mark (one Character, not equal to `"`) is escaped too.
struct ReportEscapingTests {
    @Test func quotesWithCombiningMarksAndTagsAreEscaped() {
        let hostile = "x\"\u{301} onmouseover=\"alert(1)' </script><b>&"
        let escaped = esc(hostile)
        #expect(!escaped.unicodeScalars.contains("\""))
        #expect(!escaped.unicodeScalars.contains("<") && !escaped.unicodeScalars.contains(">"))
        #expect(!escaped.unicodeScalars.contains("'"))
        #expect(escaped.contains("&quot;\u{301}") && escaped.contains("&lt;/script&gt;") && escaped.hasSuffix("&amp;"))
    }
}
