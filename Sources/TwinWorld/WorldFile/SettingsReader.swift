import Foundation
import TwinConfiguration
import Yams

/// A YAML node as a setting reads it.
struct YAMLSettingInput: SettingInput {
    let value: YAMLValue

    var number: Double? {
        guard case .scalar = value.node, let v = value.node.float ?? value.node.int.map(Double.init), v.isFinite else { return nil }
        return v
    }
    var integer: Int? {
        guard case .scalar = value.node else { return nil }
        return value.node.int
    }
    var boolean: Bool? {
        guard case .scalar = value.node else { return nil }
        return value.node.bool
    }
    var text: String? { try? value.string() }
    var items: [any SettingInput]? {
        guard let items = try? value.sequence() else { return nil }
        return items.map { YAMLSettingInput(value: $0) }
    }
    var isMapping: Bool { if case .mapping = value.node { true } else { false } }
}

/// A component name met while decoding, to be checked against its registry.
public struct ComponentReference: Sendable, Equatable {
    /// The registry's kind ("localizer", "tracker", "channel model", …).
    public var kind: String
    public var name: String
    /// Where it was written: the dotted key and its position in the file.
    public var key: String
    public var line: Int?
    public var column: Int?
}

extension WorldDecoder {
    /// Decodes an optional section through its settings table: every key present is read into
    /// a copy of `S.defaults` (each bad value reported at its own line, decoding goes on), keys
    /// that are not in the table are reported as unknown, then the table's cross-key rules run.
    func decodeSection<S: SettingsSection>(_ value: YAMLValue?, as type: S.Type = S.self) throws -> S {
        var settings = S.defaults
        guard let value else {
            S.table.complete(&settings, [])
            return settings
        }
        var m = try value.mapping()
        defer { m.finish() }
        read(S.table.keys, check: S.table.check, complete: S.table.complete, from: &m, into: &settings)
        return settings
    }

    /// Reads `keys` from a mapping into `settings` (see `decodeSection`); true when a value was
    /// rejected or a required key is missing.
    @discardableResult
    func read<S>(
        _ keys: [SettingKey<S>], check: (S) -> [(key: String, expected: String, found: String)],
        complete: (inout S, Set<String>) -> Void, from m: inout YAMLMapping, into settings: inout S
    ) -> Bool {
        var given: Set<String> = []
        var nodes: [String: YAMLValue] = [:]
        // Cross-key rules run only when every key of the section was read: a rejected or
        // missing value stands at its default, and a rule about it would report a value the
        // file never gave.
        var failed = false
        for key in keys {
            guard let child = m.optional(key.name) else {
                if key.required {
                    failed = true
                    let path = m.value.path.isEmpty ? key.name : "\(m.value.path).\(key.name)"
                    context.report(
                        WorldFileProblem(
                            line: m.value.line, column: m.value.column, key: path, expected: key.expectation(settings),
                            found: m.contains(key.name) ? "nothing (null)" : "no such key"))
                }
                continue
            }
            given.insert(key.name)
            nodes[key.name] = child
            if let section = key.section {
                if !child.isMapping, let scalar = section.scalar {
                    if !scalar(&settings, YAMLSettingInput(value: child)) {
                        failed = true
                        context.report(at: child, expected: key.expectation(settings), found: child.describe())
                    } else if let kind = section.scalarComponent, let name = try? child.string() {
                        context.components.append(
                            ComponentReference(kind: kind, name: name, key: child.path, line: child.line, column: child.column))
                    }
                    continue
                }
                guard var sub = attempt({ try child.mapping() }) else {
                    failed = true
                    continue
                }
                if read(section.keys, check: section.check, complete: section.complete, from: &sub, into: &settings) { failed = true }
                sub.finish()
                continue
            }
            if !key.apply(&settings, YAMLSettingInput(value: child)) {
                failed = true
                context.report(at: child, expected: key.expectation(settings), found: found(child, key))
            } else if case .component(let kind) = key.kind, let name = try? child.string() {
                context.components.append(
                    ComponentReference(kind: kind, name: name, key: child.path, line: child.line, column: child.column))
            }
        }
        complete(&settings, given)
        guard !failed else { return true }
        for problem in check(settings) {
            if let node = nodes[problem.key] {
                context.report(at: node, expected: problem.expected, found: problem.found)
            } else {
                context.report(at: m.value, expected: "\(problem.key): \(problem.expected)", found: problem.found)
            }
        }
        return false
    }

    /// What a person sees of a bad value, with a spelling hint for a misspelt choice.
    private func found<S>(_ node: YAMLValue, _ key: SettingKey<S>) -> String {
        let described = node.describe()
        guard case .scalar(let scalar) = node.node, key.allowed.contains("`") else { return described }
        let names = key.allowed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["`"]) }
        return described + (closestSpelling(to: scalar.string, in: names).map { " (did you mean '\($0)'?)" } ?? "")
    }
}

extension YAMLValue {
    var isMapping: Bool { if case .mapping = node { true } else { false } }
}
