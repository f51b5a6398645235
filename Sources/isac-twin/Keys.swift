import ArgumentParser
import Foundation
import TwinEngine

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the world-file key reference (generated from the stages' key tables).",
        discussion: """
            Prints, for each section with a key table (\(KeyReference.sections.joined(separator: ", "))), \
            its keys with unit, default, allowed values and meaning as a Markdown table, and the \
            registered components (localisers, trackers, channel and measurement models). \
            `--update FILE` rewrites the generated blocks of a Markdown file (worlds/README.md) \
            in place.
            """)

    @Argument(help: "One section (e.g. tracker); all when left out.")
    var section: String?

    @Option(help: ArgumentHelp("Rewrite the generated key tables of this Markdown file in place.", valueName: "file"))
    var update: String?

    func validate() throws {
        if let section, KeyReference.markdown(section) == nil {
            throw ValidationError("expected one of \(KeyReference.sections.joined(separator: ", ")), found '\(section)'")
        }
    }

    func run() throws {
        if let update {
            guard let text = try? String(contentsOfFile: update, encoding: .utf8) else {
                throw failBadInput("\(update): no such file or not UTF-8 text")
            }
            let (updated, missing) = KeyReference.update(text)
            if !missing.isEmpty {
                throw failBadInput("\(update): no generated block for \(missing.joined(separator: ", ")) (<!-- keys: SECTION --> … <!-- /keys -->)")
            }
            try updated.write(toFile: update, atomically: true, encoding: .utf8)
            return
        }
        for s in section.map({ [$0] }) ?? KeyReference.sections {
            print("## \(s)\n\n\(KeyReference.markdown(s)!)\n")
        }
        if section == nil {
            for (kind, entries) in Components.entries {
                print("## \(kind)s\n")
                for e in entries { print("- `\(e.name)`: \(e.summary)") }
                print()
            }
        }
    }
}
