import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinWorld

private let examplePath = packageRoot.appendingPathComponent("examples/localize.json").path

/// The true target positions scripts/localize-example.py computed examples/localize.json from
/// (also quoted in README.md, "Offline localisation").
private let exampleTruth = [Vec3(35, 40, 1.5), Vec3(70, 25, 20)]

private func decode(_ json: String) throws(MeasurementFileError) -> LocalizationProblem {
    try MeasurementFile.decode(Data(json.utf8), file: "input.json")
}

/// The message of the error decoding `json` gives (nil when it decodes).
private func message(_ json: String) -> String? {
    do {
        _ = try decode(json)
        return nil
    } catch {
        return error.description
    }
}

private let degree = Double.pi / 180

struct MeasurementFileTests {
    @Test func decodesAnchorsLinksAndEchoes() throws {
        let json = """
            {
              "comment": "hand-written",
              "anchors": [
                {"name": "bs1", "position": [0, 0, 10]},
                {"name": "bs2", "position": [100, 0, 15.5], "kind": "baseStation", "comment": null},
                {"name": "ue7", "position": [30, 5, 1.5], "kind": "ue", "positionStd": 2.0},
                {"name": "b\\u00e9", "position": [-1e1, 0.5, 0]}
              ],
              "links": [
                {"transmitter": "bs1", "receiver": "bs1", "ranges": [25.3, 40.1], "rangeStd": 0.1},
                {"transmitter": "bs1", "receiver": "bs2", "sumRanges": [60.25], "rangeStd": 0.1, "offset": 2.5, "offsetStd": 0.2},
                {"transmitter": "bs2", "receiver": "ue7", "offset": "unknown", "offsetGroup": "ue7-clock",
                 "echoes": [{"range": 55.0, "std": 0.3,
                             "aoa": {"azimuthDeg": 30, "elevationDeg": -5, "stdDeg": 1, "elevationStdDeg": 4},
                             "aod": {"azimuthDeg": 10, "stdDeg": 2}}]},
                {"transmitter": "bs1", "receiver": "ue7", "offset": "unknown", "rangeStd": 0.5, "echoes": [{"range": 70}]},
                {"transmitter": "bs1", "receiver": "ue7", "offset": "unknown", "offsetGroup": "ue7-clock", "echoes": []},
                {"transmitter": "bs2", "receiver": "bs1", "sumRanges": [], "rangeStd": 1}
              ]
            }
            """
        let problem = try decode(json)
        typealias P = LocalizationProblem
        #expect(
            problem.anchors == [
                P.Anchor(name: "bs1", position: Vec3(0, 0, 10)),
                P.Anchor(name: "bs2", position: Vec3(100, 0, 15.5)),
                P.Anchor(name: "ue7", position: Vec3(30, 5, 1.5), kind: .ue, positionVariance: 4),
                P.Anchor(name: "bé", position: Vec3(-10, 0.5, 0)),
            ])
        #expect(problem.links.count == 6)
        #expect(problem.links.map(\.id) == Array(0..<6))
        // Monostatic shorthand: std → variance.
        let mono = problem.links[0]
        #expect(mono.transmitter == 0 && mono.receiver == 0 && mono.offset == .none)
        #expect(mono.echoes.map(\.range) == [25.3, 40.1])
        #expect(mono.echoes.allSatisfy { abs($0.rangeVariance - 0.01) < 1e-15 && $0.arrival == nil && $0.departure == nil })
        // A known offset is subtracted and its variance added.
        let calibrated = problem.links[1]
        #expect(calibrated.transmitter == 0 && calibrated.receiver == 1)
        #expect(calibrated.offset == .calibrated(value: 2.5, variance: 0.2 * 0.2))
        #expect(calibrated.echoes.count == 1)
        #expect(abs(calibrated.echoes[0].range - 57.75) < 1e-12)
        #expect(abs(calibrated.echoes[0].rangeVariance - (0.01 + 0.04)) < 1e-15)
        // Echo objects: degrees → radians, std → variance.
        let ue = problem.links[2]
        #expect(ue.transmitter == 1 && ue.receiver == 2)
        let echo = ue.echoes[0]
        #expect(echo.range == 55 && abs(echo.rangeVariance - 0.09) < 1e-15)
        let aoa = try #require(echo.arrival)
        #expect(abs(aoa.azimuth - Double.pi / 6) < 1e-15)
        #expect(abs(aoa.azimuthVariance - degree * degree) < 1e-18)
        #expect(abs(try #require(aoa.elevation) + 5 * Double.pi / 180) < 1e-15)
        #expect(abs(try #require(aoa.elevationVariance) - 16 * degree * degree) < 1e-18)
        let aod = try #require(echo.departure)
        #expect(abs(aod.azimuth - 10 * Double.pi / 180) < 1e-15)
        #expect(abs(aod.azimuthVariance - 4 * degree * degree) < 1e-18)
        #expect(aod.elevation == nil && aod.elevationVariance == nil && !aod.isComplete)
        // Offset groups: a named group is shared, a link without a name has its own.
        #expect(problem.links[2].offset == .unknown(group: 0))
        #expect(problem.links[3].offset == .unknown(group: 1))
        #expect(problem.links[4].offset == .unknown(group: 0))
        #expect(problem.offsetGroupCount == 2)
        // The link's rangeStd is the default std of its echoes.
        #expect(problem.links[3].echoes[0].rangeVariance == 0.25)
        #expect(problem.links[4].echoes.isEmpty && problem.links[5].echoes.isEmpty)
        #expect(problem.links[5].offset == .none)
    }

    @Test(arguments: ["gauss-newton", "ellipsoid", "ue-selection"])
    func exampleFileLocalisesBothTargets(kind: String) throws {
        let problem = try MeasurementFile.load(path: examplePath)
        #expect(problem.anchors.count == 5)
        #expect(problem.links.count == 8)
        let result = try Localizers.make(kind)!.localize(problem)
        #expect(result.rejected == 0)
        #expect(result.localizations.count == 2)
        // Round trip through the printed JSON: what a user reads is what was found.
        let text = MeasurementFile.encode(result, localizer: kind)
        let output = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(output["localizer"] as? String == kind)
        #expect(output["rejected"] as? Int == 0)
        let targets = try #require(output["targets"] as? [[String: Any]])
        let positions = try targets.map { target in
            let p = try #require(target["position"] as? [Double])
            return Vec3(p[0], p[1], p[2])
        }
        for truth in exampleTruth {
            let nearest = positions.map { ($0 - truth).norm }.min() ?? .infinity
            #expect(nearest < 0.05, "\(kind): nothing within 5 cm of \(truth) in \(positions)")
        }
        // Every echo of the file found its target: each link gives one echo to each.
        for target in targets {
            #expect((target["links"] as? [Int]) == Array(0..<8))
            #expect((target["flags"] as? [String])?.contains("offset-estimated") == true)
            #expect((target["flags"] as? [String])?.contains("calibrated") == true)
        }
    }

    @Test func outputIsSortedDeterministicAndNeverNaN() throws {
        let good = Localization(
            position: Vec3(1, 2, 3), covariance: SymmetricMatrix3(xx: 4, xy: 0.5, xz: 0, yy: 9, yz: 0, zz: 16), links: [0, 2],
            echoes: [EchoRef(link: 0, echo: 1), EchoRef(link: 2, echo: 0)], residual: 0.5, degreesOfFreedom: 1,
            flags: [.lowQuality, .ambiguous], droppedAnchors: ["ue\"1"])
        var bad = good
        bad.position.x = .nan
        let result = LocalizationResult(localizations: [good, bad], rejected: 3)
        let compact = MeasurementFile.encode(result, localizer: "gauss-newton")
        #expect(
            compact
                == #"{"localizer":"gauss-newton","rejected":4,"targets":[{"covariance":[[4,0.5,0],[0.5,9,0],[0,0,16]],"#
                + #""degreesOfFreedom":1,"droppedAnchors":["ue\"1"],"echoes":[[0,1],[2,0]],"flags":["ambiguous","low-quality"],"#
                + #""links":[0,2],"position":[1,2,3],"residual":0.5,"std":[2,3,4]}]}"#)
        let pretty = MeasurementFile.encode(result, localizer: "gauss-newton", pretty: true)
        #expect(pretty.contains("\n  \"targets\" : [\n    {\n      \"covariance\" : ["))
        let a = try JSONSerialization.jsonObject(with: Data(compact.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(pretty.utf8)) as? NSDictionary
        #expect(a != nil && a == b)
        #expect(!compact.lowercased().contains("nan"))
    }

    @Test func fewOrCollinearAnchorsAreReportedNotCrashed() throws {
        let one = try decode(
            #"{"anchors": [{"name": "a", "position": [0, 0, 5]}], "links": [{"transmitter": "a", "receiver": "a", "ranges": [10], "rangeStd": 0.1}]}"#
        )
        for kind in Localizers.registry.names {
            let result = try Localizers.make(kind)!.localize(one)
            #expect(result.localizations.allSatisfy { $0.isFinite })
            #expect(!MeasurementFile.encode(result, localizer: kind).lowercased().contains("nan"))
        }
        let line = try decode(
            """
            {"anchors": [{"name": "a", "position": [0, 0, 10]}, {"name": "b", "position": [10, 0, 10]}, {"name": "c", "position": [20, 0, 10]}],
             "links": [{"transmitter": "a", "receiver": "a", "ranges": [30], "rangeStd": 1},
                       {"transmitter": "b", "receiver": "b", "ranges": [25], "rangeStd": 1},
                       {"transmitter": "c", "receiver": "c", "ranges": [22], "rangeStd": 1}]}
            """)
        let result = try Localizers.make("gauss-newton")!.localize(line)
        #expect(result.localizations.count + result.rejected == 1)
        for localization in result.localizations {
            #expect(localization.isFinite)
            #expect(localization.flags.contains(.underdetermined))
        }
        let empty = try decode(#"{"anchors": [{"name": "a", "position": [0, 0, 5]}], "links": []}"#)
        #expect(try Localizers.make("gauss-newton")!.localize(empty) == LocalizationResult(localizations: []))
    }

    /// A file with one bad value and the message it must give.
    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var anchors: String = #"[{"name": "bs1", "position": [0, 0, 10]}, {"name": "bs2", "position": [100, 0, 15]}]"#
        var links: String
        /// What the message must contain: the key path, the expectation and what was found.
        var message: String
        var testDescription: String { name }
        var json: String { #"{"anchors": \#(anchors), "links": \#(links)}"# }
    }

    static let badFiles: [BadFile] = [
        BadFile(
            name: "negative range",
            links: #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4}, {"range": -3, "std": 0.1}], "rangeStd": 1}]"#,
            message: "input.json:1:186: links[0].echoes[1].range: expected a finite number ≥ 0 (m), found -3"),
        BadFile(
            name: "negative shorthand range",
            links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4, -0.5], "rangeStd": 1}]"#,
            message: "links[0].ranges[1]: expected a finite number ≥ 0 (m), found -0.5"),
        BadFile(
            name: "too large a range", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [1e999], "rangeStd": 1}]"#,
            message: "links[0].ranges[0]: expected a finite number ≥ 0 (m), found 1e999"),
        BadFile(
            name: "zero rangeStd", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4], "rangeStd": 0}]"#,
            message: "links[0].rangeStd: expected a finite number > 0 (m), found 0"),
        BadFile(
            name: "negative echo std", links: #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4, "std": -1}]}]"#,
            message: "links[0].echoes[0].std: expected a finite number > 0 (m), found -1"),
        BadFile(
            name: "echo std missing", links: #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4}]}]"#,
            message: "links[0].echoes[0].std: expected a finite number > 0 (m), or 'rangeStd' on the link, found no such key"),
        BadFile(
            name: "shorthand without rangeStd", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4]}]"#,
            message: "links[0]: expected 'rangeStd' (m) beside 'ranges', found no 'rangeStd'"),
        BadFile(
            name: "string instead of number", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4], "rangeStd": "0.1"}]"#,
            message: "links[0].rangeStd: expected a finite number > 0 (m), found '0.1'"),
        BadFile(
            name: "unknown key", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4], "rangStd": 0.1}]"#,
            message: "links[0].rangStd: expected one of the keys 'transmitter', 'receiver', 'ranges', 'sumRanges', 'rangeStd', "
                + "'echoes', 'offset', 'offsetStd', 'offsetGroup', 'comment', found unknown key 'rangStd' (did you mean 'rangeStd'?)"),
        BadFile(
            name: "unknown top-level key", links: #"[], "link": []"#,
            message:
                "input.json:1:112: link: expected one of the keys 'anchors', 'links', 'comment', found unknown key 'link' (did you mean 'links'?)"
        ),
        BadFile(
            name: "unknown angle key",
            links: #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4, "std": 1, "aoa": {"azimuth": 3, "stdDeg": 1}}]}]"#,
            message: "links[0].echoes[0].aoa.azimuth: expected one of the keys 'azimuthDeg', 'elevationDeg', 'stdDeg', "
                + "'elevationStdDeg', 'comment', found unknown key 'azimuth'"),
        BadFile(
            name: "misspelt anchor name", links: #"[{"transmitter": "bs22", "receiver": "bs1", "sumRanges": [4], "rangeStd": 1}]"#,
            message: "links[0].transmitter: expected the name of an anchor, found 'bs22', which no anchor has (did you mean 'bs2'?)"),
        BadFile(
            name: "unrelated anchor name", links: #"[{"transmitter": "bs1", "receiver": "tower-north", "sumRanges": [4], "rangeStd": 1}]"#,
            message: "links[0].receiver: expected the name of an anchor, found 'tower-north', which no anchor has"),
        BadFile(
            name: "duplicate anchor name",
            anchors: #"[{"name": "bs1", "position": [0, 0, 10]}, {"name": "bs1", "position": [100, 0, 15]}]"#, links: "[]",
            message: "input.json:1:64: anchors[1].name: expected a name no other anchor has, found 'bs1' (also anchors[0].name)"),
        BadFile(
            name: "empty anchors", anchors: "[]", links: "[]",
            message: "input.json:1:13: anchors: expected at least one anchor, found an empty array"),
        BadFile(
            name: "missing position", anchors: #"[{"name": "bs1"}]"#, links: "[]",
            message: "input.json:1:14: anchors[0].position: expected [x, y, z] in metres, found no such key"),
        BadFile(
            name: "two coordinates", anchors: #"[{"name": "bs1", "position": [0, 1]}]"#, links: "[]",
            message: "anchors[0].position: expected [x, y, z] in metres, found 2 numbers"),
        BadFile(
            name: "unknown anchor kind", anchors: #"[{"name": "bs1", "position": [0, 1, 2], "kind": "gNB"}]"#, links: "[]",
            message: "anchors[0].kind: expected 'baseStation', 'ue' or 'ris', found 'gNB'"),
        BadFile(
            name: "negative positionStd", anchors: #"[{"name": "bs1", "position": [0, 1, 2], "positionStd": -2}]"#, links: "[]",
            message: "anchors[0].positionStd: expected a finite number ≥ 0 (m), found -2"),
        BadFile(
            name: "ranges on a bistatic link", links: #"[{"transmitter": "bs1", "receiver": "bs2", "ranges": [4], "rangeStd": 1}]"#,
            message:
                "links[0].ranges: expected 'sumRanges' on a bistatic link (bs1 → bs2), found 'ranges' (one-way ranges are for monostatic links)"
        ),
        BadFile(
            name: "sumRanges on a monostatic link", links: #"[{"transmitter": "bs2", "receiver": "bs2", "sumRanges": [4], "rangeStd": 1}]"#,
            message:
                "links[0].sumRanges: expected 'ranges' (one-way) on a monostatic link (bs2 → bs2), found 'sumRanges' (sum ranges are for bistatic links)"
        ),
        BadFile(
            name: "no echoes at all", links: #"[{"transmitter": "bs1", "receiver": "bs1", "rangeStd": 1}]"#,
            message: "links[0]: expected exactly one of 'ranges' (monostatic), 'sumRanges' (bistatic) or 'echoes', found none of them"),
        BadFile(
            name: "ranges and echoes", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [], "echoes": [], "rangeStd": 1}]"#,
            message:
                "links[0]: expected exactly one of 'ranges' (monostatic), 'sumRanges' (bistatic) or 'echoes', found 'ranges' and 'echoes'"),
        BadFile(
            name: "offset on a monostatic link",
            links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4], "rangeStd": 1, "offset": 2}]"#,
            message: "links[0].offset: expected no 'offset' on a monostatic link (bs1 → bs1): it has no clock offset, found 2"),
        BadFile(
            name: "misspelt unknown offset",
            links: #"[{"transmitter": "bs1", "receiver": "bs2", "sumRanges": [4], "rangeStd": 1, "offset": "unkown"}]"#,
            message: "links[0].offset: expected a number (the known offset, m) or 'unknown', found 'unkown'"),
        BadFile(
            name: "offsetGroup without unknown offset",
            links: #"[{"transmitter": "bs1", "receiver": "bs2", "sumRanges": [4], "rangeStd": 1, "offsetGroup": "x"}]"#,
            message: "links[0].offsetGroup: expected 'offsetGroup' only beside \"offset\": \"unknown\", found 'offsetGroup' without it"),
        BadFile(
            name: "sum range below the offset",
            links: #"[{"transmitter": "bs1", "receiver": "bs2", "sumRanges": [120, 4], "rangeStd": 1, "offset": 5}]"#,
            message: "links[0].sumRanges[1]: expected a range ≥ the link's offset 5 m, found 4"),
        BadFile(
            name: "elevation beyond 90°",
            links:
                #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4, "std": 1, "aoa": {"azimuthDeg": 3, "elevationDeg": 95, "stdDeg": 1}}]}]"#,
            message: "links[0].echoes[0].aoa.elevationDeg: expected a number from -90 to 90 (degrees), found 95"),
        BadFile(
            name: "zero angle std",
            links:
                #"[{"transmitter": "bs1", "receiver": "bs1", "echoes": [{"range": 4, "std": 1, "aod": {"azimuthDeg": 3, "stdDeg": 0}}]}]"#,
            message: "links[0].echoes[0].aod.stdDeg: expected a finite number > 0 (degrees), found 0"),
        BadFile(
            name: "key given twice", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4], "rangeStd": 1, "rangeStd": 2}]"#,
            message: "input.json:1:181: links[0].rangeStd: expected each key once per object, found it again (first at line 1, column 166)"),
        BadFile(
            name: "links not an array", links: #"{"transmitter": "bs1"}"#,
            message: "links: expected an array of links, found an object"),
        BadFile(
            name: "huge positionStd (validate)", anchors: #"[{"name": "bs1", "position": [0, 1, 2], "positionStd": 1e200}]"#,
            links: "[]", message: "input.json: anchor 0 (bs1): position variance inf is not a finite value ≥ 0"),
        BadFile(
            name: "trailing comma", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [4,], "rangeStd": 1}]"#,
            message: "input.json:1:164: not valid JSON: a trailing comma before ']' is not allowed in JSON"),
        BadFile(
            name: "NaN", links: #"[{"transmitter": "bs1", "receiver": "bs1", "ranges": [NaN], "rangeStd": 1}]"#,
            message: "input.json:1:162: not valid JSON: expected a value, found 'NaN' (JSON has no NaN or infinity)"),
    ]

    @Test(arguments: badFiles)
    func badValueIsReportedWithItsKeyPath(_ bad: BadFile) throws {
        let text = try #require(message(bad.json), "\(bad.name) decoded")
        #expect(text.contains(bad.message), "\(text)")
        #expect(text.hasPrefix("input.json"))
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        #expect(
            message("{\n  \"anchors\": [\n    {\"name\": \"a\" \"position\": [0, 0, 0]}\n  ]\n}")
                == "input.json:3:18: not valid JSON: expected ',' or '}' after the value of 'name', found '\"'")
        #expect(message("{\"anchors\": tru}") == "input.json:1:13: not valid JSON: expected a value, found 'tru'")
        #expect(message("") == "input.json:1:1: not valid JSON: unexpected end of file, expected a value")
        #expect(message("{\"anchors\": [01]}") == "input.json:1:15: not valid JSON: a number with a leading zero is not allowed in JSON")
        #expect(
            message("{\"a\": \"x\ty\"}") == "input.json:1:9: not valid JSON: a control character (U+9) inside a string; write it escaped")
        #expect(message("{} {}") == "input.json:1:4: not valid JSON: unexpected '{' after the end of the document")
        #expect(message("[1, 2]") == "input.json:1:1: the document: expected an object with 'anchors' and 'links', found an array")
        #expect(message(String(repeating: "[", count: 100_000))?.contains("nested deeper than 64 levels") == true)
        // Columns count characters, not bytes.
        #expect(message("{\"comment\": \"é\", \"x\": 1}")?.hasPrefix("input.json:1:18: x: expected one of the keys") == true)
    }

    @Test func unicodeEscapesDecode() throws {
        let problem = try decode(
            #"{"anchors": [{"name": "\ud83d\udce1 m\u00e4st \"3\"\\", "position": [0, 0, 0]}], "links": []}"#)
        #expect(problem.anchors[0].name == "📡 mäst \"3\"\\")
        #expect(message(#"{"anchors": [{"name": "\ud83d", "position": [0, 0, 0]}], "links": []}"#)?.contains("low surrogate") == true)
        #expect(message(#"{"anchors": [{"name": "\q", "position": [0, 0, 0]}], "links": []}"#)?.contains("unknown escape '\\q'") == true)
    }

    @Test func unreadableFilesAreNamed() {
        #expect(throws: MeasurementFileError.unreadable(file: "/no/such/file.json", reason: "no such file")) {
            try MeasurementFile.load(path: "/no/such/file.json")
        }
        #expect(throws: MeasurementFileError.unreadable(file: "x.json", reason: "it is not UTF-8 text")) {
            try MeasurementFile.decode(Data([0x7B, 0xFF, 0x7D]), file: "x.json")
        }
        let error = MeasurementFileError.unreadable(file: "/no/such/file.json", reason: "no such file")
        #expect(error.description == "/no/such/file.json: cannot read the measurement file: no such file")
    }

    @Test func closestSpellingSuggestsOnlyPlausibleTypos() {
        #expect(closestSpelling(to: "rangStd", in: ["ranges", "rangeStd"]) == "rangeStd")
        #expect(closestSpelling(to: "BS2", in: ["bs1", "bs2"]) == "bs2")
        #expect(closestSpelling(to: "tower-north", in: ["bs1", "bs2"]) == nil)
    }
}
