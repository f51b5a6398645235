import Foundation

/// The one encoding of simulation checkpoints (`WorldCheckpoint`, `SensingCheckpoint`): JSON
/// with sorted keys, so equal states give equal bytes.
///
/// Doubles are written in their shortest round-tripping form and read back bit for bit
/// (tested, including subnormals and the largest finite value); infinities and NaN, which JSON
/// has no numbers for, are written as the strings `"+inf"`, `"-inf"` and `"nan"` (NaN loses
/// its payload and sign, which no simulation state depends on).
public enum CheckpointCoding {
    /// The JSON bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: positiveInfinity, negativeInfinity: negativeInfinity, nan: nan)
        return try encoder.encode(value)
    }

    /// A value read back from bytes written by `encode`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: positiveInfinity, negativeInfinity: negativeInfinity, nan: nan)
        return try decoder.decode(type, from: data)
    }

    private static let positiveInfinity = "+inf", negativeInfinity = "-inf", nan = "nan"
}
