import ArgumentParser
import Foundation
import TwinLocalization

struct AssociationStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "association-study",
        abstract: "Monte-Carlo table of the joint LOS identification and data association.",
        discussion: """
            Five base stations over a 100 m square, K targets, LOS blockage 0.1 per leg, NLOS \
            spurious range probability 0.5 (docs/domain.md §7 item 4). Every frame is solved by \
            JointAssociation with the one-range-per-target constraint (joint) and without it \
            (baseline). Prints a Markdown table of P_MD, P_FA (1 m radius), RMSE and the mean \
            time per frame; everything but the times is a pure function of the options. \
            Build with -c release for meaningful times.
            """)

    @Option(help: "Frames per (bandwidth, targets) cell.")
    var trials = 200

    @Option(help: "Seed of all random draws.")
    var seed: UInt64 = 1

    @Option(help: "Target counts: one number, a range A...B, or a comma-separated list.")
    var targets = "2...7"

    @Option(help: "Bandwidths in MHz, comma-separated.")
    var bandwidths = "400,300"

    @Flag(help: "Also print reported targets, candidates fitted and ambiguous frames per row.")
    var details = false

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1, found \(trials)") }
        _ = try Self.parseTargets(targets)
        _ = try Self.parseBandwidths(bandwidths)
    }

    func run() throws {
        let counts = try Self.parseTargets(targets)
        let megahertz = try Self.parseBandwidths(bandwidths)
        let showProgress = isatty(STDERR_FILENO) != 0
        let rows = AssociationStudy.run(
            bandwidths: megahertz.map { $0 * 1e6 }, targetCounts: counts, trials: trials, seed: seed
        ) { done, total in
            guard showProgress else { return }
            FileHandle.standardError.write(Data("\rcell \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        }
        let sigmas = megahertz.map { String(format: "%g MHz: σ = %.3f m", $0, AssociationStudy.rangeSigma(bandwidth: $0 * 1e6)) }
        print(
            """
            Joint association (one range per target) vs baseline (no such constraint): 5 BSs in a 100 m \
            square, LOS blockage 0.1 per leg, NLOS probability 0.5, \(trials) frames per row, seed \(seed); \
            P_MD / P_FA within 1 m; \(sigmas.joined(separator: ", ")); ε = 5·√3·σ.

            """)
        print(AssociationStudy.markdownTable(rows))
        if details { print("\n" + AssociationStudy.detailsTable(rows)) }
    }

    /// "N", "A...B" (or "A..B", "A-B") or "A,B,C"; every count in 1...50.
    static func parseTargets(_ text: String) throws -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bad = ValidationError(
            "--targets must be a count, a range A...B or a comma-separated list of counts from 1 to 50, found '\(text)'")
        var counts: [Int]
        if let separator = ["...", "..", "-"].first(where: { trimmed.contains($0) }) {
            let parts = trimmed.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high else { throw bad }
            counts = Array(low...high)
        } else {
            let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            counts = try parts.map { part in
                guard let k = Int(part.trimmingCharacters(in: .whitespaces)) else { throw bad }
                return k
            }
        }
        guard !counts.isEmpty, counts.allSatisfy({ (1...50).contains($0) }) else { throw bad }
        return counts
    }

    /// Comma-separated positive bandwidths in MHz.
    static func parseBandwidths(_ text: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0 > 0 && $0.isFinite } ?? false }) else {
            throw ValidationError("--bandwidths must be comma-separated positive numbers of MHz, found '\(text)'")
        }
        return values.compactMap { $0 }
    }
}
