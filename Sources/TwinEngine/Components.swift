import TwinConfiguration
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

    /// Each registry's kind and its (name, summary) entries, in registration order; with
    /// `builtInOnly` the shipped components alone (what worlds/README.md documents).
    public static func entries(builtInOnly: Bool = false) -> [(kind: String, entries: [(name: String, summary: String)])] {
        func list<F>(_ r: Registry<F>) -> (kind: String, entries: [(name: String, summary: String)]) {
            (r.kind, (builtInOnly ? r.builtIn : r.entries).map { ($0.name, $0.summary) })
        }
        return [list(Localizers.registry), list(Trackers.registry), list(ChannelModels.registry), list(MeasurementModels.registry)]
    }

    public static var entries: [(kind: String, entries: [(name: String, summary: String)])] { entries() }

    /// The (name, summary) entries of one kind (empty for an unknown kind).
    public static func entries(of kind: String, builtInOnly: Bool = false) -> [(name: String, summary: String)] {
        entries(builtInOnly: builtInOnly).first { $0.kind == kind }?.entries ?? []
    }

    /// "a, b, c": the registered names of a kind, for help texts.
    public static func names(of kind: String) -> String { entries(of: kind).map(\.name).joined(separator: ", ") }
}
