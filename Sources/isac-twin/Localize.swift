import ArgumentParser
import Foundation
import TwinEngine
import TwinLocalization
import TwinWorld

struct Localize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Localise the targets of a measurement file (JSON) and print them as JSON.",
        discussion: """
            The file holds one frame of measurements from anywhere: anchors (base stations, UEs) \
            and, per link, one-way or sum ranges with optional angles and clock offsets \
            (README.md, "Offline localisation", documents every key). The result goes to \
            standard output: each target's position, covariance, standard deviations, links, \
            residual and flags, and the number of rejected groups. A bad file exits with code 2 \
            and a message naming the file, the line, the key, what was expected and what was found.
            """)

    @Argument(help: "Measurement file (JSON).")
    var input: String

    @Option(help: ArgumentHelp("Localiser (docs/domain.md §7): \(Components.names(of: "localizer")).", valueName: "name"))
    var localizer = "gauss-newton"

    func validate() throws {
        guard Localizers.registry.factory(localizer) != nil else {
            let hint = closestSpelling(to: localizer, in: Localizers.registry.names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("--localizer: expected \(Localizers.registry.expectation), found '\(localizer)'\(hint)")
        }
    }

    @Flag(help: "Indent the JSON output.")
    var pretty = false

    func run() throws {
        let problem = try withUserErrors { try MeasurementFile.load(path: input) }
        let result: LocalizationResult
        do {
            result = try Localizers.make(localizer)!.localize(problem)
        } catch {
            throw failBadInput("\(input): \(error)")
        }
        print(MeasurementFile.encode(result, localizer: localizer, pretty: pretty))
    }
}
