import ArgumentParser
import Foundation
import TwinWorld

/// The command line's JSON writing: numbers to round-trip precision, `null` where not finite,
/// strings escaped per RFC 8259 (one place for `twin`, `metrics` and `compare`).
enum JSONOutput {
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    static func string(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where ch.value < 0x20: out += String(format: "\\u%04x", ch.value)
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}

/// `--set key.path=value` (repeatable), shared by `run` and `replay`.
struct WorldOverrideOptions: ParsableArguments {
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Replace one world-file value, e.g. --set tracker.processNoise=2 or --set sensing.clutterRate=1 (repeatable).",
            valueName: "key.path=value"))
    var settings: [String] = []

    func validate() throws {
        for s in settings where WorldOverride(parsing: s) == nil {
            throw ValidationError("--set expects key.path=value (e.g. tracker.processNoise=2), found '\(s)'")
        }
    }

    var overrides: [WorldOverride] { settings.compactMap(WorldOverride.init(parsing:)) }
}
