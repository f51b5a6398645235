import Foundation
import TwinConfiguration
import TwinTracking
import TwinWorld

/// The world file's key reference, generated from the stages' key tables (the one declaration
/// of each key): the tables of worlds/README.md and `isac-twin keys`.
///
/// In worlds/README.md each generated table sits between `<!-- keys: SECTION -->` and
/// `<!-- /keys -->`; `update(_:)` rewrites those blocks and a test fails when the file
/// differs from the tables.
public enum KeyReference {
    /// The sections with a key table (each has its block in worlds/README.md).
    public static let sections = ["simulation", "ue", "sensing", "sensing.waveform", "localizer", "tracker", "handover", "cooperation"]

    /// The Markdown table of one section, or nil for a section without a key table. Component
    /// keys list the registered names (`builtInOnly`: the shipped ones, as worlds/README.md).
    public static func markdown(_ section: String, builtInOnly: Bool = false) -> String? {
        let components = { (kind: String) in Components.entries(of: kind, builtInOnly: builtInOnly) }
        switch section {
        case "simulation": return SimulationSpec.table.reference(components: components)
        case "ue": return UESpec.table.reference(components: components)
        case "sensing": return SensingSpec.table.reference(nested: false, components: components)
        case "sensing.waveform": return WaveformSpec.table.reference(components: components)
        case "localizer": return LocalizerSpec.table.reference(components: components)
        case "tracker": return TrackerSettings.table.reference(components: components)
        case "handover": return HandoverSpec.table.reference(components: components)
        case "cooperation": return CooperationSpec.table.reference(components: components)
        default: return nil
        }
    }

    static func marker(_ section: String) -> String { "<!-- keys: \(section) -->" }
    static let end = "<!-- /keys -->"

    /// `text` with every generated block replaced by the current table; the sections whose
    /// block is missing are returned too.
    public static func update(_ text: String) -> (text: String, missing: [String]) {
        var out = text
        var missing: [String] = []
        for section in sections {
            guard let table = markdown(section, builtInOnly: true) else { continue }
            guard let start = out.range(of: marker(section)), let stop = out.range(of: end, range: start.upperBound..<out.endIndex)
            else {
                missing.append(section)
                continue
            }
            out.replaceSubrange(start.upperBound..<stop.lowerBound, with: "\n" + table + "\n")
        }
        return (out, missing)
    }

    /// The generated block of `section` as it stands in `text`, or nil.
    public static func block(_ section: String, in text: String) -> String? {
        guard let start = text.range(of: marker(section)), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<stop.lowerBound]).trimmingCharacters(in: .newlines)
    }
}
