/// A problem in a world file, written for a person: which file, where, which key, what was
/// expected and what was found.
public struct WorldFileProblem: Sendable, Equatable, CustomStringConvertible {
    /// Line and column in the file, 1-based, where known.
    public var line: Int?
    public var column: Int?
    /// Dotted key path, e.g. `movers[2].waypoints[1]`; empty for the whole document.
    public var key: String
    public var expected: String
    public var found: String

    public init(line: Int? = nil, column: Int? = nil, key: String, expected: String, found: String) {
        self.line = line
        self.column = column
        self.key = key
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let keyText = key.isEmpty ? "the document" : "key '\(key)'"
        return "\(keyText): expected \(expected), found \(found)"
    }
}

/// Why a world file could not be loaded. Printed by the command line without a stack trace.
public enum WorldFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(file: String, reason: String)
    /// The text is not YAML.
    case syntax(file: String, line: Int?, column: Int?, problem: String)
    /// The YAML is well formed but the world it describes is not valid; every problem found.
    case invalid(file: String, problems: [WorldFileProblem])

    public var file: String {
        switch self {
        case .unreadable(let file, _), .syntax(let file, _, _, _), .invalid(let file, _): return file
        }
    }

    public var problems: [WorldFileProblem] {
        if case .invalid(_, let problems) = self { return problems }
        return []
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the world file: \(reason)"
        case .syntax(let file, let line, let column, let problem):
            return "\(file)\(Self.position(line, column)): not valid YAML: \(problem)"
        case .invalid(let file, let problems):
            return problems.map { "\(file)\(Self.position($0.line, $0.column)): \($0)" }
                .joined(separator: "\n")
        }
    }

    static func position(_ line: Int?, _ column: Int?) -> String {
        guard let line else { return "" }
        if let column { return ":\(line):\(column)" }
        return ":\(line)"
    }
}
