import Foundation
import TwinMath
import TwinWorld

/// Why a measurement file could not be read. Printed by the command line without a stack trace.
public enum MeasurementFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist, cannot be read, or is not UTF-8 text.
    case unreadable(file: String, reason: String)
    /// The text is not JSON (1-based line and column).
    case syntax(file: String, line: Int, column: Int, problem: String)
    /// The JSON is well formed but a value is wrong: where, which key (e.g.
    /// `links[2].echoes[0].range`; empty for the whole document), what was expected and found.
    case invalid(file: String, line: Int, column: Int, key: String, expected: String, found: String)
    /// The problem the file describes does not pass `LocalizationProblem.validate()`.
    case problem(file: String, message: String)

    public var file: String {
        switch self {
        case .unreadable(let file, _), .syntax(let file, _, _, _), .invalid(let file, _, _, _, _, _), .problem(let file, _): file
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the measurement file: \(reason)"
        case .syntax(let file, let line, let column, let problem):
            "\(file):\(line):\(column): not valid JSON: \(problem)"
        case .invalid(let file, let line, let column, let key, let expected, let found):
            "\(file):\(line):\(column): \(key.isEmpty ? "the document" : key): expected \(expected), found \(found)"
        case .problem(let file, let message):
            "\(file): \(message)"
        }
    }
}

/// Measurement files: one frame of unlabeled measurements from outside the simulator, as JSON,
/// for `isac-twin localize` (README.md, "Offline localisation", documents every key).
///
/// ```json
/// {
///   "anchors": [{"name": "bs1", "position": [0, 0, 10]},
///               {"name": "ue7", "position": [30, 5, 1.5], "kind": "ue", "positionStd": 2}],
///   "links": [
///     {"transmitter": "bs1", "receiver": "bs1", "ranges": [25.3, 40.1], "rangeStd": 0.1},
///     {"transmitter": "bs1", "receiver": "ue7", "offset": "unknown", "offsetGroup": "ue7-clock",
///      "echoes": [{"range": 55.0, "std": 0.1, "aoa": {"azimuthDeg": 30, "elevationDeg": -5, "stdDeg": 1}}]}
///   ]
/// }
/// ```
///
/// Decoding is strict: an unknown key (with a "did you mean" hint), a key given twice, a wrong
/// type, a value out of range or an unknown anchor name is an error naming the file, the line
/// and column, the key path, what was expected and what was found.
///
/// - Link ids are the links' indices in the file.
/// - A numeric `offset` is a known clock offset c·δ in metres contained in the measured sum
///   ranges: it is subtracted from them (`Offset.calibrated`, its `offsetStd`² added to every
///   echo's variance), as the simulator's calibration does.
/// - `"offset": "unknown"` makes the offset an unknown of the fit; links with the same
///   `offsetGroup` share one (groups numbered in order of first appearance).
public enum MeasurementFile {
    /// Reads and decodes the file at `path`.
    public static func load(path: String) throws(MeasurementFileError) -> LocalizationProblem {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw .unreadable(
                file: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "it is not readable")
        }
        return try decode(data, file: path)
    }

    /// Decodes and validates measurement-file text; `file` names it in messages.
    public static func decode(_ data: Data, file: String) throws(MeasurementFileError) -> LocalizationProblem {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .unreadable(file: file, reason: "it is not UTF-8 text")
        }
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw .syntax(file: file, line: error.line, column: error.column, problem: error.message)
        }
        let problem: LocalizationProblem
        do {
            problem = try Decoder.problem(JSONReader(node: root, path: ""))
        } catch {
            throw .invalid(file: file, line: error.line, column: error.column, key: error.key, expected: error.expected, found: error.found)
        }
        do {
            try problem.validate()
        } catch {
            throw .problem(file: file, message: error.description)
        }
        return problem
    }

    /// The result as JSON: `{"localizer", "rejected", "targets": [{"position", "covariance",
    /// "std", "links", "echoes", "residual", "degreesOfFreedom", "flags", "droppedAnchors"}]}`,
    /// keys sorted (`JSONCoding`); `pretty` indents it. A localisation with a non-finite
    /// number (never returned by the shipped localisers) is counted in `rejected` rather than
    /// printed.
    public static func encode(_ result: LocalizationResult, localizer: String, pretty: Bool = false) -> String {
        var targets: [LocalizeOutput.Target] = []
        var rejected = result.rejected
        for localization in result.localizations {
            let c = localization.covariance
            let covariance = [[c.xx, c.xy, c.xz], [c.xy, c.yy, c.yz], [c.xz, c.yz, c.zz]]
            let p = localization.position
            guard localization.isFinite, covariance.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                rejected += 1
                continue
            }
            targets.append(
                LocalizeOutput.Target(
                    position: [p.x, p.y, p.z], covariance: covariance, std: [c.xx, c.yy, c.zz].map { Swift.max($0, 0).squareRoot() },
                    links: localization.links, echoes: localization.echoes.map { [$0.link, $0.echo] },
                    residual: localization.residual, degreesOfFreedom: localization.degreesOfFreedom,
                    flags: localization.flags.sorted().map(\.rawValue), droppedAnchors: localization.droppedAnchors))
        }
        return JSONCoding.text(LocalizeOutput(localizer: localizer, rejected: rejected, targets: targets), pretty: pretty)
    }
}

/// What `isac-twin localize` prints.
struct LocalizeOutput: Encodable {
    struct Target: Encodable {
        var position: [Double]
        var covariance: [[Double]]
        var std: [Double]
        var links: [Int]
        var echoes: [[Int]]
        var residual: Double
        var degreesOfFreedom: Int
        var flags: [String]
        var droppedAnchors: [String]
    }

    var localizer: String
    var rejected: Int
    var targets: [Target]
}

/// A bad value, before the file name is attached.
struct MeasurementFileStop: Error {
    var line: Int
    var column: Int
    var key: String
    var expected: String
    var found: String
}

/// A JSON value and its key path in the document.
struct JSONReader {
    var node: JSONNode
    var path: String

    func stop(_ expected: String, found: String? = nil) -> MeasurementFileStop {
        MeasurementFileStop(line: node.line, column: node.column, key: path, expected: expected, found: found ?? node.found)
    }

    func object(_ expected: String, keys: [String]) throws(MeasurementFileStop) -> JSONObjectReader {
        guard case .object(let members) = node.value else { throw stop(expected) }
        var seen: [String: JSONMember] = [:]
        for member in members {
            let path = childPath(member.key)
            if let first = seen[member.key] {
                throw MeasurementFileStop(
                    line: member.line, column: member.column, key: path, expected: "each key once per object",
                    found: "it again (first at line \(first.line), column \(first.column))")
            }
            seen[member.key] = member
            guard keys.contains(member.key) else {
                let hint = closestSpelling(to: member.key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                throw MeasurementFileStop(
                    line: member.line, column: member.column, key: path,
                    expected: "one of the keys " + keys.map { "'\($0)'" }.joined(separator: ", "),
                    found: "unknown key '\(member.key)'\(hint)")
            }
        }
        return JSONObjectReader(reader: self, members: seen)
    }

    func array(_ expected: String) throws(MeasurementFileStop) -> [JSONReader] {
        guard case .array(let elements) = node.value else { throw stop(expected) }
        return elements.enumerated().map { JSONReader(node: $1, path: "\(path)[\($0)]") }
    }

    func string(_ expected: String) throws(MeasurementFileStop) -> String {
        guard case .string(let s) = node.value, !s.isEmpty else { throw stop(expected) }
        return s
    }

    /// A finite number that passes `valid`.
    func number(_ expected: String, where valid: (Double) -> Bool = { _ in true }) throws(MeasurementFileStop) -> Double {
        guard case .number(let x, _) = node.value, x.isFinite, valid(x) else { throw stop(expected) }
        return x
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// An object whose keys were checked against the known ones.
struct JSONObjectReader {
    var reader: JSONReader
    var members: [String: JSONMember]

    /// The value of `key`; nil when absent or null.
    func optional(_ key: String) -> JSONReader? {
        guard let member = members[key] else { return nil }
        if case .null = member.value.value { return nil }
        return JSONReader(node: member.value, path: reader.childPath(key))
    }

    func required(_ key: String, _ expected: String) throws(MeasurementFileStop) -> JSONReader {
        guard let child = optional(key) else { throw missing(key, expected) }
        return child
    }

    /// The stop for a required `key` that is absent or null (at the object's position).
    func missing(_ key: String, _ expected: String) -> MeasurementFileStop {
        MeasurementFileStop(
            line: reader.node.line, column: reader.node.column, key: reader.childPath(key), expected: expected,
            found: members[key] == nil ? "no such key" : "null")
    }

    func has(_ key: String) -> Bool { optional(key) != nil }
}

extension MeasurementFile {
    /// The document → problem mapping; every check that needs a key path is made here.
    enum Decoder {
        static let degree = Double.pi / 180
        static let metres = "a finite number ≥ 0 (m)"
        static let positiveMetres = "a finite number > 0 (m)"

        static func problem(_ root: JSONReader) throws(MeasurementFileStop) -> LocalizationProblem {
            let document = try root.object("an object with 'anchors' and 'links'", keys: ["anchors", "links", "comment"])
            try comment(document)
            let anchorsReader = try document.required("anchors", "an array of anchors")
            let anchorList = try anchorsReader.array("an array of anchors")
            guard !anchorList.isEmpty else { throw anchorsReader.stop("at least one anchor") }
            var anchors: [LocalizationProblem.Anchor] = []
            var index: [String: Int] = [:]
            for item in anchorList {
                let (anchor, nameReader) = try self.anchor(item)
                if let first = index[anchor.name] {
                    throw nameReader.stop("a name no other anchor has", found: "'\(anchor.name)' (also anchors[\(first)].name)")
                }
                index[anchor.name] = anchors.count
                anchors.append(anchor)
            }
            let linkList = try document.required("links", "an array of links").array("an array of links")
            var groups: [String: Int] = [:]
            var groupCount = 0
            var links: [LocalizationProblem.Link] = []
            for (id, item) in linkList.enumerated() {
                links.append(
                    try link(item, id: id, anchors: anchors, index: index) { name in
                        if let name, let g = groups[name] { return g }
                        defer { groupCount += 1 }
                        if let name { groups[name] = groupCount }
                        return groupCount
                    })
            }
            return LocalizationProblem(anchors: anchors, links: links)
        }

        static let anchorKeys = ["name", "position", "kind", "positionStd", "comment"]

        static func comment(_ object: JSONObjectReader) throws(MeasurementFileStop) {
            _ = try object.optional("comment")?.string("a string (a note for people, ignored)")
        }

        /// An anchor, and the reader of its name (for the duplicate-name message).
        static func anchor(_ item: JSONReader) throws(MeasurementFileStop) -> (LocalizationProblem.Anchor, JSONReader) {
            let object = try item.object("an anchor: {\"name\": …, \"position\": [x, y, z]}", keys: anchorKeys)
            try comment(object)
            let nameReader = try object.required("name", "the anchor's name (a non-empty string)")
            let name = try nameReader.string("a non-empty string")
            let positionReader = try object.required("position", "[x, y, z] in metres")
            let coordinates = try positionReader.array("[x, y, z] in metres")
            guard coordinates.count == 3 else {
                throw positionReader.stop("[x, y, z] in metres", found: "\(coordinates.count) number\(coordinates.count == 1 ? "" : "s")")
            }
            var xyz: [Double] = []
            for c in coordinates { xyz.append(try c.number("a finite number (m)")) }
            var kind = LocalizationProblem.Anchor.Kind.baseStation
            if let k = object.optional("kind") {
                let allowed = "'baseStation', 'ue' or 'ris'"
                guard case .string(let text) = k.node.value, let parsed = LocalizationProblem.Anchor.Kind(rawValue: text) else {
                    throw k.stop(allowed)
                }
                kind = parsed
            }
            let std = try object.optional("positionStd")?.number(metres) { $0 >= 0 } ?? 0
            let anchor = LocalizationProblem.Anchor(
                name: name, position: Vec3(xyz[0], xyz[1], xyz[2]), kind: kind, positionVariance: std * std)
            return (anchor, nameReader)
        }

        static let linkKeys = [
            "transmitter", "receiver", "ranges", "sumRanges", "rangeStd", "echoes", "offset", "offsetStd", "offsetGroup", "comment",
        ]

        /// One link; `group` numbers an unknown-offset group by its name (nil: a new group).
        static func link(
            _ item: JSONReader, id: Int, anchors: [LocalizationProblem.Anchor], index: [String: Int], group: (String?) -> Int
        ) throws(MeasurementFileStop) -> LocalizationProblem.Link {
            let object = try item.object("a link: {\"transmitter\": …, \"receiver\": …, and ranges, sumRanges or echoes}", keys: linkKeys)
            try comment(object)
            func anchorIndex(_ key: String) throws(MeasurementFileStop) -> Int {
                let reader = try object.required(key, "the name of an anchor")
                let name = try reader.string("the name of an anchor")
                guard let i = index[name] else {
                    let hint = closestSpelling(to: name, in: anchors.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                    throw reader.stop("the name of an anchor", found: "'\(name)', which no anchor has\(hint)")
                }
                return i
            }
            let tx = try anchorIndex("transmitter")
            let rx = try anchorIndex("receiver")
            let monostatic = tx == rx
            let route = "\(anchors[tx].name) → \(anchors[rx].name)"

            // Offset.
            var offset = LocalizationProblem.Offset.none
            var offsetValue = 0.0
            var offsetVariance = 0.0
            if let reader = object.optional("offset") {
                guard !monostatic else {
                    throw reader.stop("no 'offset' on a monostatic link (\(route)): it has no clock offset")
                }
                switch reader.node.value {
                case .string("unknown"):
                    let name = try object.optional("offsetGroup")?.string("a non-empty string naming the clock")
                    offset = .unknown(group: group(name))
                case .number:
                    offsetValue = try reader.number("a finite number (m) or 'unknown'")
                    let std = try object.optional("offsetStd")?.number(metres) { $0 >= 0 } ?? 0
                    offsetVariance = std * std
                    offset = .calibrated(value: offsetValue, variance: offsetVariance)
                default:
                    throw reader.stop("a number (the known offset, m) or 'unknown'")
                }
            }
            if let reader = object.optional("offsetGroup"), !isUnknown(offset) {
                throw reader.stop("'offsetGroup' only beside \"offset\": \"unknown\"", found: "'offsetGroup' without it")
            }
            if let reader = object.optional("offsetStd"), !isCalibrated(offset) {
                throw reader.stop("'offsetStd' only beside a numeric 'offset'", found: "'offsetStd' without one")
            }

            // Echoes: exactly one of ranges, sumRanges, echoes.
            let forms = ["ranges", "sumRanges", "echoes"].filter { object.has($0) }
            guard forms.count == 1 else {
                let found = forms.isEmpty ? "none of them" : forms.map { "'\($0)'" }.joined(separator: " and ")
                throw item.stop("exactly one of 'ranges' (monostatic), 'sumRanges' (bistatic) or 'echoes'", found: found)
            }
            let defaultStd = try object.optional("rangeStd")?.number(positiveMetres) { $0 > 0 }
            var echoes: [LocalizationProblem.Echo] = []
            /// The range after the offset is removed; the sum must not fall below it.
            func corrected(_ reader: JSONReader, _ value: Double) throws(MeasurementFileStop) -> Double {
                guard value - offsetValue >= 0 else {
                    throw reader.stop("a range ≥ the link's offset \(format(offsetValue)) m")
                }
                return value - offsetValue
            }
            switch forms[0] {
            case "ranges", "sumRanges":
                let key = forms[0]
                let reader = try object.required(key, "")
                if monostatic && key == "sumRanges" {
                    throw reader.stop(
                        "'ranges' (one-way) on a monostatic link (\(route))", found: "'sumRanges' (sum ranges are for bistatic links)")
                }
                if !monostatic && key == "ranges" {
                    throw reader.stop(
                        "'sumRanges' on a bistatic link (\(route))", found: "'ranges' (one-way ranges are for monostatic links)")
                }
                guard let std = defaultStd else {
                    throw object.reader.stop("'rangeStd' (m) beside '\(key)'", found: "no 'rangeStd'")
                }
                let what = monostatic ? "an array of one-way ranges (m)" : "an array of sum ranges (m)"
                for element in try reader.array(what) {
                    let value = try element.number(metres) { $0 >= 0 }
                    echoes.append(
                        LocalizationProblem.Echo(range: try corrected(element, value), rangeVariance: std * std + offsetVariance))
                }
            default:
                for echoReader in try object.required("echoes", "").array("an array of echoes") {
                    let echo = try echoReader.object(
                        "an echo: {\"range\": …, \"std\": …, optional \"aoa\" and \"aod\"}",
                        keys: ["range", "std", "aoa", "aod", "comment"])
                    try comment(echo)
                    let rangeReader = try echo.required("range", metres)
                    let range = try corrected(rangeReader, try rangeReader.number(metres) { $0 >= 0 })
                    let std: Double
                    if let s = echo.optional("std") {
                        std = try s.number(positiveMetres) { $0 > 0 }
                    } else if let defaultStd {
                        std = defaultStd
                    } else {
                        throw echo.missing("std", "\(positiveMetres), or 'rangeStd' on the link")
                    }
                    echoes.append(
                        LocalizationProblem.Echo(
                            range: range, rangeVariance: std * std + offsetVariance, arrival: try echo.optional("aoa").map(direction),
                            departure: try echo.optional("aod").map(direction)))
                }
            }
            return LocalizationProblem.Link(id: id, transmitter: tx, receiver: rx, offset: offset, echoes: echoes)
        }

        static func direction(_ reader: JSONReader) throws(MeasurementFileStop) -> LocalizationProblem.Direction {
            let object = try reader.object(
                "an angle: {\"azimuthDeg\": …, \"stdDeg\": …, optional \"elevationDeg\"}",
                keys: ["azimuthDeg", "elevationDeg", "stdDeg", "elevationStdDeg", "comment"])
            try comment(object)
            let azimuth = try object.required("azimuthDeg", "a finite number (degrees)").number("a finite number (degrees)")
            let std = try object.required("stdDeg", "a finite number > 0 (degrees)").number("a finite number > 0 (degrees)") { $0 > 0 }
            let elevation = try object.optional("elevationDeg")?.number("a number from -90 to 90 (degrees)") { abs($0) <= 90 }
            var elevationStd = std
            if let reader = object.optional("elevationStdDeg") {
                guard elevation != nil else {
                    throw reader.stop("'elevationStdDeg' only beside 'elevationDeg'", found: "'elevationStdDeg' without it")
                }
                elevationStd = try reader.number("a finite number > 0 (degrees)") { $0 > 0 }
            }
            let variance = { (std: Double) in (std * degree) * (std * degree) }
            return LocalizationProblem.Direction(
                azimuth: azimuth * degree, azimuthVariance: variance(std), elevation: elevation.map { $0 * degree },
                elevationVariance: elevation == nil ? nil : variance(elevationStd))
        }

        static func isUnknown(_ offset: LocalizationProblem.Offset) -> Bool {
            if case .unknown = offset { true } else { false }
        }

        static func isCalibrated(_ offset: LocalizationProblem.Offset) -> Bool {
            if case .calibrated = offset { true } else { false }
        }

        /// A number as a person would write it (no trailing `.0`).
        static func format(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        }
    }
}
