import Yams

/// Reads typed values out of a composed YAML tree, remembering where each came from.
///
/// Why not `Codable`: `YAMLDecoder` ignores unknown keys (a typo such as `speeed` would silently
/// fall back to the default) and its errors carry a coding path but no line. World files are
/// edited by hand, so every value is read through this type instead: unknown keys are errors,
/// every error names the line and the dotted key, and semantic checks (a base station outside the
/// map) are collected so that one run reports every problem rather than the first.
final class WorldFileContext {
    let file: String
    private(set) var problems: [WorldFileProblem] = []
    /// Component names met (checked against their registries after decoding).
    var components: [ComponentReference] = []
    /// Mappings being decoded, outermost first. A stop marks them all interrupted (their
    /// unread keys were simply not reached and must not be called unknown); `attempt`, which
    /// catches the stop, restores the marks of the mappings outside it, whose decoding goes on.
    var open: [OpenMapping] = []

    final class OpenMapping {
        var interrupted = false
    }

    /// Records that decoding of the current value stops.
    func stop() {
        for mapping in open { mapping.interrupted = true }
    }

    init(file: String) { self.file = file }

    /// Records a problem that does not stop decoding (a semantic check).
    func report(_ problem: WorldFileProblem) { problems.append(problem) }

    func report(at node: YAMLValue, expected: String, found: String) {
        report(node.problem(expected: expected, found: found))
    }
}

/// Thrown for a problem that stops decoding of the current value (a wrong type, a missing key).
struct WorldFileDecodingStop: Error {
    let problem: WorldFileProblem
}

/// A YAML node together with its key path.
struct YAMLValue {
    let node: Node
    let path: String
    let context: WorldFileContext

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func problem(expected: String, found: String) -> WorldFileProblem {
        WorldFileProblem(line: line, column: column, key: path, expected: expected, found: found)
    }

    func fail(expected: String, found: String? = nil) -> WorldFileDecodingStop {
        context.stop()
        return WorldFileDecodingStop(problem: problem(expected: expected, found: found ?? describe()))
    }

    /// How a node looks to a person: the scalar itself, or "a list of 3 items", "a mapping".
    func describe() -> String {
        switch node {
        case .scalar(let scalar):
            if scalar.string.isEmpty || node.null != nil && scalar.style == .plain { return "nothing (null)" }
            return "'\(scalar.string)'"
        case .sequence(let seq): return "a list of \(seq.count) item\(seq.count == 1 ? "" : "s")"
        case .mapping(let map): return "a mapping with keys \(map.keys.compactMap(\.string).map { "'\($0)'" }.joined(separator: ", "))"
        case .alias: return "an alias"
        }
    }

    // MARK: - Scalars

    func double(_ expected: String = "a number") throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw fail(expected: expected)
        }
        return value
    }

    func int(_ expected: String = "a whole number") throws -> Int {
        guard case .scalar = node, let value = node.int else { throw fail(expected: expected) }
        return value
    }

    func string(_ expected: String = "a text") throws -> String {
        guard case .scalar(let scalar) = node, node.null == nil || scalar.style != .plain else {
            throw fail(expected: expected)
        }
        return scalar.string
    }

    func bool() throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw fail(expected: "true or false") }
        return value
    }

    /// One of a fixed set of names (an enum's raw values).
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        guard case .scalar(let scalar) = node, let value = T(rawValue: scalar.string) else {
            throw fail(expected: "one of \(allowed)")
        }
        return value
    }

    // MARK: - Collections

    func sequence(_ expected: String = "a list") throws -> [YAMLValue] {
        guard case .sequence(let seq) = node else { throw fail(expected: expected) }
        return seq.enumerated().map { YAMLValue(node: $1, path: "\(path)[\($0)]", context: context) }
    }

    func mapping() throws -> YAMLMapping {
        guard case .mapping(let map) = node else { throw fail(expected: "a mapping of keys to values") }
        return YAMLMapping(value: self, mapping: map)
    }

    /// A list of exactly `count` numbers, e.g. a position `[x, y, z]`.
    func numbers(count: Int, _ expected: String) throws -> [Double] {
        guard case .sequence(let seq) = node, seq.count == count else { throw fail(expected: expected) }
        return try sequence().map { try $0.double(expected) }
    }

    func vec3(_ expected: String = "a position [x, y, z] in metres") throws -> SIMD3<Double> {
        let v = try numbers(count: 3, expected)
        return SIMD3(v[0], v[1], v[2])
    }

    func vec2(_ expected: String = "a point [x, y] in metres") throws -> SIMD2<Double> {
        let v = try numbers(count: 2, expected)
        return SIMD2(v[0], v[1])
    }

    /// A number or a `[low, high]` range; a single number means low = high.
    func range(_ expected: String) throws -> ClosedRange<Double> {
        if case .sequence = node {
            let v = try numbers(count: 2, "\(expected) as a number or a range [low, high]")
            guard v[0] <= v[1] else {
                throw fail(expected: "a range [low, high] with low ≤ high")
            }
            return v[0]...v[1]
        }
        let v = try double("\(expected) as a number or a range [low, high]")
        return v...v
    }
}

/// A YAML mapping being read key by key; `finish()` reports the keys nobody asked for.
struct YAMLMapping {
    let value: YAMLValue
    let mapping: Node.Mapping
    private var consumed: Set<String> = []
    private var known: [String] = []
    private let state = WorldFileContext.OpenMapping()

    init(value: YAMLValue, mapping: Node.Mapping) {
        self.value = value
        self.mapping = mapping
        value.context.open.append(state)
    }

    var context: WorldFileContext { value.context }

    private func childPath(_ key: String) -> String { value.path.isEmpty ? key : "\(value.path).\(key)" }

    func contains(_ key: String) -> Bool { mapping[key] != nil }

    /// The value under `key`, if present (and not an explicit null).
    mutating func optional(_ key: String) -> YAMLValue? {
        known.append(key)
        consumed.insert(key)
        guard let node = mapping[key],
            !(node.null != nil && { if case .scalar(let s) = node { return s.style == .plain } else { return false } }())
        else { return nil }
        return YAMLValue(node: node, path: childPath(key), context: value.context)
    }

    /// The value under `key`; missing is an error naming what belongs there.
    mutating func required(_ key: String, _ expected: String) throws -> YAMLValue {
        guard let child = optional(key) else {
            value.context.stop()
            let present = mapping[key] != nil
            throw WorldFileDecodingStop(
                problem: WorldFileProblem(
                    line: value.line, column: value.column, key: childPath(key),
                    expected: expected, found: present ? "nothing (null)" : "no such key"))
        }
        return child
    }

    /// Reports keys that were never asked for, with the closest known key as a hint; silent
    /// when decoding of this mapping stopped before all its keys were read.
    func finish() {
        value.context.open.removeAll { $0 === state }
        guard !state.interrupted else { return }
        for (keyNode, child) in mapping {
            let key = keyNode.string ?? "?"
            guard !consumed.contains(key) else { continue }
            let hint = YAMLMapping.closest(to: key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            let allowed = known.map { "'\($0)'" }.joined(separator: ", ")
            value.context.report(
                WorldFileProblem(
                    line: keyNode.mark?.line ?? child.mark?.line, column: keyNode.mark?.column,
                    key: childPath(key),
                    expected: "one of the keys \(allowed)",
                    found: "unknown key '\(key)'\(hint)"))
        }
    }

    /// Closest candidate by edit distance, if close enough to be a plausible typo.
    static func closest(to key: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// The candidate closest to a misspelt `word` by edit distance (case-insensitive), when close
/// enough to be a plausible typo: the "did you mean" hint of world files, shared with other
/// strict readers (measurement files).
public func closestSpelling(to word: String, in candidates: [String]) -> String? {
    YAMLMapping.closest(to: word, in: candidates)
}

extension YAMLMapping {
    // Convenience readers with defaults. `expected` phrases what a person should write.

    mutating func double(
        _ key: String, default fallback: Double? = nil, _ expected: String,
        where valid: (Double) -> Bool = { _ in true }
    ) throws -> Double {
        guard let child = optional(key) else {
            if let fallback { return fallback }
            throw try missing(key, expected)
        }
        let v = try child.double(expected)
        guard valid(v) else { throw child.fail(expected: expected) }
        return v
    }

    mutating func positive(_ key: String, default fallback: Double? = nil, _ expected: String) throws -> Double {
        try double(key, default: fallback, expected, where: { $0 > 0 })
    }

    mutating func nonNegative(_ key: String, default fallback: Double? = nil, _ expected: String) throws -> Double {
        try double(key, default: fallback, expected, where: { $0 >= 0 })
    }

    mutating func int(
        _ key: String, default fallback: Int? = nil, _ expected: String,
        where valid: (Int) -> Bool = { _ in true }
    ) throws -> Int {
        guard let child = optional(key) else {
            if let fallback { return fallback }
            throw try missing(key, expected)
        }
        let v = try child.int(expected)
        guard valid(v) else { throw child.fail(expected: expected) }
        return v
    }

    mutating func string(_ key: String, default fallback: String? = nil, _ expected: String = "a text") throws -> String {
        guard let child = optional(key) else {
            if let fallback { return fallback }
            throw try missing(key, expected)
        }
        return try child.string(expected)
    }

    mutating func bool(_ key: String, default fallback: Bool) throws -> Bool {
        try optional(key)?.bool() ?? fallback
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T? = nil) throws -> T
    where T.RawValue == String {
        guard let child = optional(key) else {
            if let fallback { return fallback }
            throw try missing(key, "one of " + T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        return try child.choice(T.self)
    }

    private func missing(_ key: String, _ expected: String) throws -> WorldFileDecodingStop {
        value.context.stop()
        return WorldFileDecodingStop(
            problem: WorldFileProblem(
                line: value.line, column: value.column,
                key: value.path.isEmpty ? key : "\(value.path).\(key)",
                expected: expected, found: mapping[key] != nil ? "nothing (null)" : "no such key"))
    }
}
