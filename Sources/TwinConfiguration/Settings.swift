import Foundation

/// A value read from a world file or the command line, as a setting sees it. TwinWorld's
/// YAML reader provides it (with the line and column a message needs); settings never see
/// the file format.
public protocol SettingInput {
    /// A finite number (an integer scalar counts).
    var number: Double? { get }
    /// A whole number.
    var integer: Int? { get }
    var boolean: Bool? { get }
    /// A non-null scalar's text.
    var text: String? { get }
    /// The items of a list.
    var items: [any SettingInput]? { get }
    /// Whether the value is a mapping (a nested section).
    var isMapping: Bool { get }
}

/// How a number setting is checked, and how the check reads in messages and the reference.
public struct NumberRule: Sendable {
    public let text: String
    public let test: @Sendable (Double) -> Bool

    public init(_ text: String, _ test: @escaping @Sendable (Double) -> Bool) { (self.text, self.test) = (text, test) }

    public static let any = NumberRule("") { _ in true }
    public static let positive = NumberRule("> 0") { $0 > 0 }
    public static let nonNegative = NumberRule("≥ 0") { $0 >= 0 }
    /// A probability strictly between 0 and 1.
    public static let openProbability = NumberRule("0 < p < 1") { $0 > 0 && $0 < 1 }
    public static let probability = NumberRule("0 … 1") { (0...1).contains($0) }
    public static func closed(_ range: ClosedRange<Double>) -> NumberRule {
        NumberRule("\(shortNumber(range.lowerBound)) … \(shortNumber(range.upperBound))") { range.contains($0) }
    }
}

/// What a key holds: a value, the name of a registered component, or a nested section.
public enum SettingKind: Sendable, Equatable {
    case value
    /// The name of a registered component (checked against the registry of this kind by
    /// whoever can see it: TwinEngine's component catalogue).
    case component(String)
    /// A nested section.
    case section
}

/// One key of a settings section: its name, unit, default, what it accepts and what it means,
/// and how a value is written into the settings. The one declaration of a parameter: the
/// strict world-file reader decodes through it and the key reference in worlds/README.md is
/// generated from it.
///
/// `@unchecked Sendable`: the closures are pure functions of their arguments (key paths and
/// constants captured at declaration), built once in `static let` tables.
public struct SettingKey<Settings>: @unchecked Sendable {
    public typealias Kind = SettingKind

    public let name: String
    public let unit: String
    /// What it means (one paragraph of the reference).
    public let doc: String
    /// The default as the reference shows it.
    public let defaultText: String
    /// The values it accepts, as the reference shows them ("0 … 40", "> 0", "`a`, `b`").
    public let allowed: String
    public let kind: Kind
    /// A key the section cannot do without (its default text is "required").
    public var required = false
    /// What a value must be ("a probability strictly between 0 and 1"), given the settings
    /// decoded so far (a range may depend on an earlier key).
    public let expectation: (Settings) -> String
    /// Writes a value into the settings; false when it does not fit `expectation`.
    public let apply: (inout Settings, any SettingInput) -> Bool
    /// For a nested section: its keys, as a type-erased table.
    public let section: AnySettingsTable<Settings>?
    /// The key's value in a settings value, as an input (to check settings built in code
    /// through the same rules; nil for sections and keys that cannot be read back).
    public var current: ((Settings) -> LiteralInput)? = nil

    public init(
        name: String, unit: String = "—", doc: String, defaultText: String, allowed: String, kind: Kind = .value,
        expectation: @escaping (Settings) -> String, apply: @escaping (inout Settings, any SettingInput) -> Bool,
        section: AnySettingsTable<Settings>? = nil
    ) {
        (self.name, self.unit, self.doc, self.defaultText, self.allowed, self.kind) = (name, unit, doc, defaultText, allowed, kind)
        (self.expectation, self.apply, self.section) = (expectation, apply, section)
    }
}

/// A value built in code, as an input: to check settings values through the keys' rules.
public enum LiteralInput: SettingInput, CustomStringConvertible {
    case number(Double)
    case integer(Int)
    case boolean(Bool)
    case text(String)
    case list([LiteralInput])
    case absent

    public var number: Double? {
        switch self {
        case .number(let v): v.isFinite ? v : nil
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var integer: Int? { if case .integer(let v) = self { v } else { nil } }
    public var boolean: Bool? { if case .boolean(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let v) = self { v } else { nil } }
    public var items: [any SettingInput]? { if case .list(let v) = self { v } else { nil } }
    public var isMapping: Bool { false }
    var isAbsent: Bool { if case .absent = self { true } else { false } }

    public var description: String {
        switch self {
        case .number(let v): "\(v)"
        case .integer(let v): String(v)
        case .boolean(let v): String(v)
        case .text(let v): "'\(v)'"
        case .list(let v): "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .absent: "nothing"
        }
    }
}

/// A section's keys in order, and the rules that involve several of them.
public struct SettingsTable<Settings>: @unchecked Sendable {
    public let keys: [SettingKey<Settings>]
    /// Problems across keys after every key was read, as (key, expected, found); the reader
    /// reports each at that key (or at the section when the key is absent).
    public let check: (Settings) -> [(key: String, expected: String, found: String)]
    /// Adjusts defaults that depend on other keys, given the names of the keys that were set.
    public let complete: (inout Settings, Set<String>) -> Void

    public init(
        _ keys: [SettingKey<Settings>], check: @escaping (Settings) -> [(key: String, expected: String, found: String)] = { _ in [] },
        complete: @escaping (inout Settings, Set<String>) -> Void = { _, _ in }
    ) {
        (self.keys, self.check, self.complete) = (keys, check, complete)
    }

    public func key(_ name: String) -> SettingKey<Settings>? { keys.first { $0.name == name } }

    /// The problems of a settings value built in code, through the same rules the world-file
    /// reader applies: each key's value re-read (`SettingKey.current`), then `check`.
    public func problems(of settings: Settings) -> [(key: String, expected: String, found: String)] {
        var out: [(key: String, expected: String, found: String)] = []
        func visit(_ keys: [SettingKey<Settings>], prefix: String) {
            for key in keys {
                if let section = key.section {
                    visit(section.keys, prefix: prefix + key.name + ".")
                    out += section.check(settings).map { (prefix + key.name + "." + $0.key, $0.expected, $0.found) }
                    continue
                }
                guard let value = key.current?(settings), !(key.required == false && value.isAbsent) else { continue }
                var copy = settings
                if !key.apply(&copy, value) { out.append((prefix + key.name, key.expectation(settings), value.description)) }
            }
        }
        visit(keys, prefix: "")
        return out + check(settings)
    }
}

/// A nested section seen from its parent: decode into the parent through a key path.
public struct AnySettingsTable<Parent>: @unchecked Sendable {
    /// The nested keys, each lifted to the parent.
    public let keys: [SettingKey<Parent>]
    public let check: (Parent) -> [(key: String, expected: String, found: String)]
    public let complete: (inout Parent, Set<String>) -> Void
    /// A scalar written in place of the section (`fidelity: waveform`), if the section allows one.
    public let scalar: ((inout Parent, any SettingInput) -> Bool)?
    /// The registry kind that scalar names, when it names a component.
    public var scalarComponent: String? = nil
}

/// A settings type with a default and a key table: one stage's settings (docs/architecture.md,
/// "Settings declared once").
public protocol SettingsSection: Sendable {
    static var defaults: Self { get }
    static var table: SettingsTable<Self> { get }
}

// MARK: - Building keys

extension SettingKey where Settings: SettingsSection {
    /// A number, written in the file in units of `scale` (e.g. 1e-9 for a key in ns).
    public static func number(
        _ name: String, _ path: WritableKeyPath<Settings, Double>, unit: String = "—", what: String, rule: NumberRule = .any,
        scale: Double = 1, doc: String
    ) -> Self {
        let defaultValue = Settings.defaults[keyPath: path] / scale
        return SettingKey(
            name: name, unit: unit, doc: doc, defaultText: shortNumber(defaultValue), allowed: rule.text.isEmpty ? "any" : rule.text,
            expectation: { _ in what },
            apply: { s, input in
                guard let v = input.number, rule.test(v) else { return false }
                s[keyPath: path] = v * scale
                return true
            }
        ).reading { .number($0[keyPath: path] / scale) }
    }

    /// A number that may be absent; `defaultText` says what stands in for it.
    public static func optionalNumber(
        _ name: String, _ path: WritableKeyPath<Settings, Double?>, unit: String = "—", what: String, rule: NumberRule = .any,
        defaultText: String, doc: String
    ) -> Self {
        SettingKey(
            name: name, unit: unit, doc: doc, defaultText: defaultText, allowed: rule.text.isEmpty ? "any" : rule.text,
            expectation: { _ in what },
            apply: { s, input in
                guard let v = input.number, rule.test(v) else { return false }
                s[keyPath: path] = v
                return true
            }
        ).reading { $0[keyPath: path].map(LiteralInput.number) ?? .absent }
    }

    /// A whole number in a range that may depend on keys read before it.
    public static func integer(
        _ name: String, _ path: WritableKeyPath<Settings, Int>, unit: String = "—", what: @escaping (Settings) -> String,
        range: @escaping (Settings) -> ClosedRange<Int>, allowed: String, defaultText: String? = nil, doc: String
    ) -> Self {
        SettingKey(
            name: name, unit: unit, doc: doc, defaultText: defaultText ?? String(Settings.defaults[keyPath: path]), allowed: allowed,
            expectation: what,
            apply: { s, input in
                guard let v = input.integer, range(s).contains(v) else { return false }
                s[keyPath: path] = v
                return true
            }
        ).reading { .integer($0[keyPath: path]) }
    }

    /// A whole number from `range`.
    public static func integer(
        _ name: String, _ path: WritableKeyPath<Settings, Int>, unit: String = "—", what: String, range: ClosedRange<Int>,
        doc: String
    ) -> Self {
        integer(
            name, path, unit: unit, what: { _ in what }, range: { _ in range }, allowed: "\(range.lowerBound) … \(range.upperBound)",
            doc: doc)
    }

    /// A whole number from a fixed list.
    public static func integer(
        _ name: String, _ path: WritableKeyPath<Settings, Int>, unit: String = "—", what: String, oneOf allowed: [Int], doc: String
    ) -> Self {
        SettingKey(
            name: name, unit: unit, doc: doc, defaultText: String(Settings.defaults[keyPath: path]),
            allowed: allowed.map(String.init).joined(separator: ", "), expectation: { _ in what },
            apply: { s, input in
                guard let v = input.integer, allowed.contains(v) else { return false }
                s[keyPath: path] = v
                return true
            }
        ).reading { .integer($0[keyPath: path]) }
    }

    public static func bool(_ name: String, _ path: WritableKeyPath<Settings, Bool>, doc: String) -> Self {
        SettingKey(
            name: name, doc: doc, defaultText: String(Settings.defaults[keyPath: path]), allowed: "true, false",
            expectation: { _ in "true or false" },
            apply: { s, input in
                guard let v = input.boolean else { return false }
                s[keyPath: path] = v
                return true
            }
        ).reading { .boolean($0[keyPath: path]) }
    }

    /// One of an enumeration's names.
    public static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<Settings, E>, doc: String
    ) -> Self where E.RawValue == String {
        SettingKey(
            name: name, doc: doc, defaultText: "`\(Settings.defaults[keyPath: path].rawValue)`",
            allowed: E.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "),
            expectation: { _ in "one of " + E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") },
            apply: { s, input in
                guard let text = input.text, let v = E(rawValue: text) else { return false }
                s[keyPath: path] = v
                return true
            }
        ).reading { .text($0[keyPath: path].rawValue) }
    }

    /// The name of a registered component of `registry` (checked against it by the component
    /// catalogue, which also lists the names in the reference).
    public static func component(_ name: String, _ path: WritableKeyPath<Settings, String>, registry: String, doc: String) -> Self {
        SettingKey(
            name: name, doc: doc, defaultText: "`\(Settings.defaults[keyPath: path])`", allowed: "a registered name",
            kind: .component(registry),
            expectation: { _ in "the name of a \(registry)" },
            apply: { s, input in
                guard let text = input.text, !text.isEmpty else { return false }
                s[keyPath: path] = text
                return true
            }
        ).reading { .text($0[keyPath: path]) }
    }

    /// A pair of whole numbers, each in `range` (array sizes).
    public static func pair(
        _ name: String, _ path: WritableKeyPath<Settings, SIMD2<Int>>, unit: String, what: String, range: ClosedRange<Int>,
        doc: String
    ) -> Self {
        let d = Settings.defaults[keyPath: path]
        return SettingKey(
            name: name, unit: unit, doc: doc, defaultText: "[\(d.x), \(d.y)]",
            allowed: "\(range.lowerBound) … \(range.upperBound) each", expectation: { _ in what },
            apply: { s, input in
                guard let items = input.items, items.count == 2, let a = items[0].number, let b = items[1].number,
                    a == a.rounded(), b == b.rounded(), range.contains(Int(exactly: a) ?? .min), range.contains(Int(exactly: b) ?? .min)
                else { return false }
                s[keyPath: path] = SIMD2(Int(a), Int(b))
                return true
            }
        ).reading { .list([.integer($0[keyPath: path].x), .integer($0[keyPath: path].y)]) }
    }

    /// A nested mapping of keys of the same settings (`ue.gnss.sigmaHorizontal`).
    public static func group(_ name: String, doc: String, _ keys: [SettingKey<Settings>]) -> Self {
        SettingKey(
            name: name, doc: doc, defaultText: "see below", allowed: "a mapping", kind: .section,
            expectation: { _ in "a mapping of the keys of '\(name)'" }, apply: { _, _ in false },
            section: AnySettingsTable(keys: keys, check: { _ in [] }, complete: { _, _ in }, scalar: nil))
    }

    /// This key of a nested section, seen from its parent through `path` (nested sections
    /// included).
    func lifted<Parent>(_ path: WritableKeyPath<Parent, Settings>) -> SettingKey<Parent> {
        let section = self.section.map { inner in
            AnySettingsTable<Parent>(
                keys: inner.keys.map { $0.lifted(path) }, check: { inner.check($0[keyPath: path]) },
                complete: { inner.complete(&$0[keyPath: path], $1) },
                scalar: inner.scalar.map { apply in { apply(&$0[keyPath: path], $1) } }, scalarComponent: inner.scalarComponent)
        }
        var up = SettingKey<Parent>(
            name: name, unit: unit, doc: doc, defaultText: defaultText, allowed: allowed, kind: kind,
            expectation: { [expectation] in expectation($0[keyPath: path]) }, apply: { [apply] in apply(&$0[keyPath: path], $1) },
            section: section)
        up.required = required
        if let current { up.current = { current($0[keyPath: path]) } }
        return up
    }

    /// The same key, read back from settings by `value`.
    public func reading(_ value: @escaping (Settings) -> LiteralInput) -> Self {
        var key = self
        key.current = value
        return key
    }

    /// The same key, required: the section is invalid without it.
    public func requiredKey() -> Self {
        var key = SettingKey(
            name: name, unit: unit, doc: doc, defaultText: "required", allowed: allowed, kind: kind, expectation: expectation,
            apply: apply, section: section)
        key.required = true
        key.current = current
        return key
    }

    /// A nested section of `Sub`'s keys under `name`; `scalar` accepts a single value in its
    /// place (e.g. one fidelity for every link class).
    public static func section<Sub: SettingsSection>(
        _ name: String, _ path: WritableKeyPath<Settings, Sub>, defaultText: String = "see below", doc: String,
        expectation: String? = nil, scalar: ((inout Sub, any SettingInput) -> Bool)? = nil, scalarComponent: String? = nil
    ) -> Self {
        let table = Sub.table
        let lifted = table.keys.map { $0.lifted(path) }
        let erased = AnySettingsTable<Settings>(
            keys: lifted, check: { table.check($0[keyPath: path]) }, complete: { table.complete(&$0[keyPath: path], $1) },
            scalar: scalar.map { apply in { apply(&$0[keyPath: path], $1) } }, scalarComponent: scalarComponent)
        return SettingKey(
            name: name, doc: doc, defaultText: defaultText, allowed: "a mapping", kind: .section,
            expectation: { _ in expectation ?? "a mapping of the keys of '\(name)'" },
            apply: { _, _ in false }, section: erased)
    }
}

/// A number as the reference and messages show it: integers without a point, small and
/// large values in exponent form (1e-06 → 1e-6), others in the shortest round-trip form.
public func shortNumber(_ value: Double) -> String {
    // 12 significant digits: a default stored in SI and shown in ns reads 100, not 99.99999999999999.
    let x = Double(String(format: "%.12g", value)) ?? value
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e15) {
        var text = "\(x)"  // e.g. 1e-06
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var exponent = String(text[text.index(after: e)...])
            let negative = exponent.hasPrefix("-")
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
            text = mantissa + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
        }
        return text
    }
    return "\(x)"
}

// MARK: - The reference

extension SettingsTable {
    /// The key reference of this section as a Markdown table (worlds/README.md is generated
    /// from it): key, unit, default, allowed values, meaning. A nested section's keys follow
    /// as `section.key` rows. `components(kind)` lists the registered names of a component
    /// kind with their one-line summaries, for keys that name a component.
    public func reference(nested: Bool = true, components: (String) -> [(name: String, summary: String)]) -> String {
        var rows = ["| key | unit | default | allowed | meaning |", "|---|---|---|---|---|"]
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        func row(_ name: String, _ key: SettingKey<Settings>) {
            var meaning = key.doc
            var allowed = key.allowed
            if case .component(let kind) = key.kind {
                let names = components(kind)
                allowed = names.map { "`\($0.name)`" }.joined(separator: ", ")
                meaning += (meaning.isEmpty ? "" : " ") + names.map { "`\($0.name)`: \($0.summary)" }.joined(separator: "; ")
            } else if let kind = key.section?.scalarComponent {
                allowed = components(kind).map { "`\($0.name)`" }.joined(separator: ", ") + ", or a mapping of those"
            }
            rows.append("| `\(name)` | \(cell(key.unit)) | \(cell(key.defaultText)) | \(cell(allowed)) | \(cell(meaning)) |")
        }
        for key in keys {
            row(key.name, key)
            if nested, let section = key.section {
                for sub in section.keys { row("\(key.name).\(sub.name)", sub) }
            }
        }
        return rows.joined(separator: "\n")
    }
}
