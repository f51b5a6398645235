import TwinLocalization
import TwinSensing
import TwinTracking
import TwinWorld

/// Every swap point's registry, seen from the one module that sees them all: the component
/// catalogue world files are checked against, and the names `--help` and the key reference
/// list.
public enum Components {
    /// Registered names per kind: "localizer", "tracker", "channel model", "measurement model".
    public static var catalogue: ComponentCatalogue {
        ComponentCatalogue(Dictionary(uniqueKeysWithValues: entries.map { ($0.kind, $0.entries.map(\.name)) }))
    }

    /// Each registry's kind and its (name, summary) entries, in registration order.
    public static var entries: [(kind: String, entries: [(name: String, summary: String)])] {
        [
            (Localizers.registry.kind, Localizers.registry.entries.map { ($0.name, $0.summary) }),
            (Trackers.registry.kind, Trackers.registry.entries.map { ($0.name, $0.summary) }),
            (ChannelModels.registry.kind, ChannelModels.registry.entries.map { ($0.name, $0.summary) }),
            (MeasurementModels.registry.kind, MeasurementModels.registry.entries.map { ($0.name, $0.summary) }),
        ]
    }

    /// The (name, summary) entries of one kind (empty for an unknown kind).
    public static func entries(of kind: String) -> [(name: String, summary: String)] {
        entries.first { $0.kind == kind }?.entries ?? []
    }

    /// "a, b, c": the registered names of a kind, for help texts.
    public static func names(of kind: String) -> String { entries(of: kind).map(\.name).joined(separator: ", ") }
}
