import Foundation

/// The one writer of the program's JSON outputs (`localize`, `twin --json`, `metrics --json`,
/// `compare --json`, `waveform-study --json`, the report's data): Foundation's `JSONEncoder`
/// over `Encodable` types, keys sorted (equal values give equal text), slashes unescaped.
/// Numbers that may be non-finite are `JSONNumber`s, written as `null` (JSON has no NaN);
/// a plain `Double` that is not finite is written as the string "inf", "-inf" or "nan".
public enum JSONCoding {
    public static func text<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Encoding a value of these types cannot fail: every number is finite or converted.
        guard let data = try? encoder.encode(value) else { preconditionFailure("JSON encoding of \(T.self) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A number of a JSON output: its value when finite, `null` otherwise.
public struct JSONNumber: Encodable, Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public var value: Double

    public init(_ value: Double) { self.value = value }
    public init(optional value: Double?) { self.value = value ?? .nan }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if value.isFinite { try c.encode(value) } else { try c.encodeNil() }
    }
}
