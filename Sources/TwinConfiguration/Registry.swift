import Foundation

/// A table of named factories: one swap point of the pipeline (localisers, trackers, channel
/// models, measurement models).
///
/// World files and the command line name a component (`localizer.name: ellipsoid`,
/// `--tracker jpda-imm`); the stage that builds it looks the name up here. The built-in
/// components are registered where the registry is declared; a library user adds one with
/// `register` (a new file and one registration line, no switch to edit; docs/architecture.md
/// shows it). The command line's `--help` and the world-file reference list `entries`, so a
/// registered name is documented where the built-in names are.
///
/// Names are unique: registering a name twice is a programming error and traps (two
/// components answering to one name would make a world file mean two things). Thread-safe.
public final class Registry<Factory: Sendable>: @unchecked Sendable {
    /// One named component.
    public struct Entry: Sendable {
        /// The name world files and the command line use.
        public let name: String
        /// One line for `--help` and the key reference.
        public let summary: String
        public let make: Factory

        public init(name: String, summary: String, make: Factory) {
            (self.name, self.summary, self.make) = (name, summary, make)
        }
    }

    /// What the registry holds ("localizer", "tracker", …), for messages.
    public let kind: String
    private let lock = NSLock()
    private var table: [Entry]
    /// The components the registry was declared with (what the shipped documentation lists).
    public let builtIn: [Entry]

    /// A registry of `kind` holding `builtIn`, in that order.
    public init(kind: String, builtIn: [Entry]) {
        self.kind = kind
        self.builtIn = builtIn
        table = []
        for entry in builtIn { register(entry) }
    }

    /// Adds a component. Traps if the name is taken or empty.
    public func register(_ name: String, summary: String, make: Factory) {
        register(Entry(name: name, summary: summary, make: make))
    }

    public func register(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        precondition(!entry.name.isEmpty, "a \(kind) needs a name")
        precondition(!table.contains { $0.name == entry.name }, "a \(kind) named '\(entry.name)' is already registered")
        table.append(entry)
    }

    /// Every component, built-ins first, then in registration order.
    public var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return table
    }

    /// The registered names, in `entries` order.
    public var names: [String] { entries.map(\.name) }

    /// The factory of `name`, or nil.
    public func factory(_ name: String) -> Factory? {
        lock.lock()
        defer { lock.unlock() }
        return table.first { $0.name == name }?.make
    }

    /// "one of 'a', 'b', 'c'": what a message expects in place of an unknown name.
    public var expectation: String { "one of " + names.map { "'\($0)'" }.joined(separator: ", ") }
}
