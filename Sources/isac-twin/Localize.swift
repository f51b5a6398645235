import ArgumentParser
import Foundation
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

    @Option(help: "Localiser of the fusion centre (DOMAIN.md §7).")
    var localizer: LocalizerKind = .gaussNewton

    @Flag(help: "Indent the JSON output.")
    var pretty = false

    func run() throws {
        let problem = try withUserErrors { try MeasurementFile.load(path: input) }
        let result: LocalizationResult
        do {
            result = try localizer.make().localize(problem)
        } catch {
            throw failBadInput("\(input): \(error)")
        }
        print(MeasurementFile.encode(result, localizer: localizer.rawValue, pretty: pretty))
    }
}
