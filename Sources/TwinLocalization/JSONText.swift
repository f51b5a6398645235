/// A JSON value with the place it starts in the text (1-based line and column, counted in
/// Unicode scalars), for messages that point a person at the right spot.
struct JSONNode: Sendable, Equatable {
    enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        /// The value and the number as written (for messages: `-3`, not `-3.0`).
        case number(Double, text: String)
        case string(String)
        case array([JSONNode])
        /// Members in the order written; a key given twice appears twice.
        case object([JSONMember])
    }

    var value: Value
    var line: Int
    var column: Int

    /// How the value reads in a message: a number or string as written, else its kind.
    var found: String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(_, let text): text
        case .string(let s): s.count > 40 ? "'\(s.prefix(40))…'" : "'\(s)'"
        case .array(let a): a.isEmpty ? "an empty array" : "an array"
        case .object: "an object"
        }
    }
}

struct JSONMember: Sendable, Equatable {
    var key: String
    var line: Int
    var column: Int
    var value: JSONNode
}

/// Why a text is not JSON, and where.
struct JSONSyntaxError: Error, Sendable, Equatable {
    var line: Int
    var column: Int
    var message: String
}

/// A strict JSON (RFC 8259) parser that keeps positions.
///
/// Foundation's parsers are not used: on Linux they accept trailing commas, keep only the last
/// of two equal keys (a repeated `rangeStd` would silently win) and report no line or column.
/// This one rejects the first two and reports every syntax error at its line and column.
/// Nesting is limited (`maximumDepth`), so hostile input cannot exhaust the stack.
struct JSONParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    /// Parses one document. The text must be UTF-8 (checked by the caller); a byte-order mark
    /// is skipped.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        let root = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.foundHere()) after the end of the document")
        }
        return root
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            // One column per scalar: continuation bytes do not count.
            column += 1
        }
    }

    private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(line: line, column: column, message: message) }

    /// The text at the current position for a message: a word, one character, or the end.
    private func foundHere() -> String {
        guard index < bytes.count else { return "end of file" }
        var end = index
        while end < bytes.count, end - index < 12, Self.isWordByte(bytes[end]) { end += 1 }
        if end == index {
            // One scalar, however many bytes it takes.
            end = index + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        }
        let text = String(decoding: bytes[index..<end], as: UTF8.self)
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) { return "'\(text)'" }
        return text.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { advance() }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        let (startLine, startColumn) = (line, column)
        guard let b = current else { throw error("unexpected end of file, expected a value") }
        let value: JSONNode.Value
        switch b {
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            value = .object(try members(depth: depth))
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            value = .array(try elements(depth: depth))
        case UInt8(ascii: "\""):
            value = .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = try number()
        default:
            if try literal("true") {
                value = .bool(true)
            } else if try literal("false") {
                value = .bool(false)
            } else if try literal("null") {
                value = .null
            } else {
                let found = foundHere()
                let hint = ["'NaN'", "'Infinity'", "'-Infinity'", "'inf'", "'nan'"].contains(found) ? " (JSON has no NaN or infinity)" : ""
                throw error("expected a value, found \(found)\(hint)")
            }
        }
        return JSONNode(value: value, line: startLine, column: startColumn)
    }

    /// Consumes `word` when the text continues with it (and no further letters).
    private mutating func literal(_ word: String) throws(JSONSyntaxError) -> Bool {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { return false }
        if index + w.count < bytes.count, Self.isWordByte(bytes[index + w.count]) { return false }
        for _ in w { advance() }
        return true
    }

    private mutating func members(depth: Int) throws(JSONSyntaxError) -> [JSONMember] {
        advance()  // {
        var out: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            advance()
            return out
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") { throw error("a trailing comma before '}' is not allowed in JSON") }
                throw error("expected a key in double quotes, found \(foundHere())")
            }
            let (keyLine, keyColumn) = (line, column)
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the key '\(key)', found \(foundHere())") }
            advance()
            let child = try value(depth: depth + 1)
            out.append(JSONMember(key: key, line: keyLine, column: keyColumn, value: child))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "}"):
                advance()
                return out
            default: throw error("expected ',' or '}' after the value of '\(key)', found \(foundHere())")
            }
        }
    }

    private mutating func elements(depth: Int) throws(JSONSyntaxError) -> [JSONNode] {
        advance()  // [
        var out: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            advance()
            return out
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") { throw error("a trailing comma before ']' is not allowed in JSON") }
            out.append(try value(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"):
                advance()
                return out
            default: throw error("expected ',' or ']' after an array element, found \(foundHere())")
            }
        }
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        advance()  // "
        var scalars = String.UnicodeScalarView()
        var run = index  // start of the bytes not yet copied
        func flush(_ parser: JSONParser, into scalars: inout String.UnicodeScalarView) {
            scalars.append(contentsOf: String(decoding: parser.bytes[run..<parser.index], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let b = current else { throw error("unexpected end of file inside a string") }
            if b == UInt8(ascii: "\"") {
                flush(self, into: &scalars)
                advance()
                return String(scalars)
            }
            if b < 0x20 {
                throw error("a control character (U+\(String(b, radix: 16, uppercase: true))) inside a string; write it escaped")
            }
            guard b == UInt8(ascii: "\\") else {
                advance()
                continue
            }
            flush(self, into: &scalars)
            advance()
            guard let e = current else { throw error("unexpected end of file inside a string") }
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let high = try hex4()
                if (0xD800..<0xDC00).contains(high) {
                    guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("a \\u escape of a high surrogate must be followed by a low surrogate")
                    }
                    advance()
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw error("a \\u escape of a high surrogate must be followed by a low surrogate")
                    }
                    scalars.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                } else if let scalar = Unicode.Scalar(high) {
                    scalars.append(scalar)
                } else {
                    throw error("a lone low surrogate in a \\u escape")
                }
                run = index
                continue
            default:
                throw error("unknown escape '\\\(String(decoding: [e], as: UTF8.self))' in a string")
            }
            advance()
            run = index
        }
    }

    /// The four hex digits after `\u` (the `u` is current).
    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        advance()  // u
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = current else { throw error("unexpected end of file inside a \\u escape") }
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("expected four hex digits after \\u, found \(foundHere())")
            }
            value = value * 16 + digit
            advance()
        }
        return value
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONNode.Value {
        let start = index
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        if current == UInt8(ascii: "-") { advance() }
        guard isDigit(current) else { throw error("expected a digit, found \(foundHere())") }
        if current == UInt8(ascii: "0") {
            advance()
            if isDigit(current) { throw error("a number with a leading zero is not allowed in JSON") }
        } else {
            while isDigit(current) { advance() }
        }
        if current == UInt8(ascii: ".") {
            advance()
            guard isDigit(current) else { throw error("expected a digit after the decimal point, found \(foundHere())") }
            while isDigit(current) { advance() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            advance()
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
            guard isDigit(current) else { throw error("expected a digit in the exponent, found \(foundHere())") }
            while isDigit(current) { advance() }
        }
        if let b = current, Self.isWordByte(b) { throw error("unexpected \(foundHere()) inside a number") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Always parses (the grammar above is a subset of Double's); too large a number
        // becomes infinite and is refused by the reader as not finite.
        return .number(Double(text) ?? .nan, text: text)
    }
}
