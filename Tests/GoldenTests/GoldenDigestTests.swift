import Foundation
import Testing
import TwinStore
import TwinWorld

@testable import TwinEngine

/// Golden digests: the behaviour of the whole pipeline pinned bit for bit.
///
/// For every shipped world in every sensing mode, and for a set of variants that reach the
/// other branches (every tracker preset, the raw EKF, every localiser, waveform fidelity,
/// MUSIC angles, the cooperation policies, the handover policies, background reflectors,
/// clock offsets, stochastic line of sight), a short run is recorded and each data table of
/// the recording is digested (`Recording.digest(table:)`: FNV-1a over the exact bits of
/// every value in primary-key order). The digests are stored in `golden-digests.json` beside
/// this file.
///
/// A refactoring must leave every digest unchanged. A change of physics or of a draw order
/// changes them on purpose: regenerate the file in its own commit and say why there,
///
///     ISAC_TWIN_GOLDEN=update swift test --filter GoldenDigestTests
///
/// The digests hold for this machine kind's toolchain and libraries (Swift 6.3, glibc's libm,
/// single-threaded OpenBLAS); they are not meant to agree across CPU architectures.
@Suite struct GoldenDigestTests {
    @Test(arguments: GoldenCase.all)
    func recordingDigestsAreUnchanged(_ golden: GoldenCase) throws {
        let digests = try golden.digests()
        if ProcessInfo.processInfo.environment["ISAC_TWIN_GOLDEN"] == "update" {
            try GoldenFile.store(golden.name, digests)
            return
        }
        let stored = try GoldenFile.load()
        guard let expected = stored[golden.name] else {
            Issue.record("no stored digests for \(golden.name): run with ISAC_TWIN_GOLDEN=update and commit golden-digests.json")
            return
        }
        let changed = expected.keys.sorted().filter { expected[$0] != digests[$0] }
        #expect(changed.isEmpty, "\(golden.name): tables changed: \(changed.joined(separator: ", "))")
        #expect(Set(expected.keys) == Set(digests.keys))
    }

    /// Every stored case is still run (a case dropped from `GoldenCase.all` must be dropped
    /// from the file too, on purpose).
    @Test func everyStoredCaseIsRun() throws {
        guard ProcessInfo.processInfo.environment["ISAC_TWIN_GOLDEN"] != "update" else { return }
        let stored = try GoldenFile.load()
        #expect(Set(stored.keys) == Set(GoldenCase.all.map(\.name)))
    }
}

/// One pinned run: a shipped world, a sensing mode, overrides and a number of frames.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var world: String
    var mode: SensingMode
    var frames = 10
    var overrides: [String] = []
    var fidelity: String? = nil

    var name: String {
        ([world, mode.rawValue, "\(frames) frames"] + (fidelity.map { ["fidelity=\($0)"] } ?? []) + overrides)
            .joined(separator: " ")
    }
    var testDescription: String { name }

    /// The digest of each data table of the run's recording.
    func digests() throws -> [String: String] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("isac-twin-golden-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let file = GoldenFile.root.appendingPathComponent("worlds/\(world).yaml").path
        let frameCount = Double(frames)
        let spec = try WorldSpec.load(path: file)
        let options = RunOptions(
            duration: frameCount * spec.simulation.dt, recordPath: path, commandLine: "golden", batchFrames: 4, mode: mode,
            overrides: overrides.map { WorldOverride(parsing: $0)! }, fidelity: fidelity)
        _ = try Simulation(worldFile: file, options: options).run()
        let recording = try Recording(path: path)
        var out: [String: String] = [:]
        for table in GoldenFile.tables {
            out[table] = String(try recording.digest(table: table), radix: 16)
        }
        return out
    }

    static let modes = SensingMode.allCases
    static let worlds = ["tiny", "factory", "road", "uav-corridor", "factory-ris", "factory-multiband", "road-two-operators"]

    static let all: [GoldenCase] =
        worlds.flatMap { w in modes.map { GoldenCase(world: w, mode: $0) } }
        // Tracker presets and the raw EKF (gnn-cv is every world's default).
        + ["gnn-ca", "gnn-ct", "gnn-imm", "jpda-cv", "jpda-ca", "jpda-ct", "jpda-imm"].map {
            GoldenCase(world: "factory", mode: .monostatic, overrides: ["tracker.name=\($0)"])
        }
        + [
            GoldenCase(world: "factory", mode: .trpTrp, overrides: ["tracker.measurement=raw"]),
            GoldenCase(world: "factory", mode: .monostatic, overrides: ["tracker.name=gnn-imm", "tracker.measurement=raw"]),
        ]
        // Localisers (gauss-newton is every world's default).
        + [
            GoldenCase(world: "factory", mode: .trpTrp, overrides: ["localizer.name=ellipsoid"]),
            GoldenCase(world: "factory", mode: .trpTrp, overrides: ["localizer.name=time-angle"]),
            GoldenCase(world: "factory", mode: .monostatic, overrides: ["localizer.name=joint"]),
            GoldenCase(world: "road", mode: .monostatic, overrides: ["localizer.name=joint"]),
            GoldenCase(world: "tiny", mode: .trpTrp, frames: 20, overrides: ["sensing.stoMaxNs=60"]),
            GoldenCase(world: "factory", mode: .hybrid, overrides: ["localizer.name=ue-selection"]),
            GoldenCase(world: "road", mode: .trpUE, overrides: ["localizer.name=ue-selection"]),
        ]
        // Waveform fidelity, MUSIC angles.
        + modes.map { GoldenCase(world: "tiny", mode: $0, fidelity: "waveform") }
        + [
            GoldenCase(world: "tiny", mode: .trpTrp, overrides: ["sensing.waveform.angles=music"], fidelity: "waveform"),
            GoldenCase(world: "factory-ris", mode: .monostatic, frames: 4, fidelity: "waveform"),
        ]
        // Cooperation policies (measurement-sharing is road-two-operators' own).
        + [
            GoldenCase(world: "road-two-operators", mode: .trpTrp, overrides: ["cooperation.policy=isolated"]),
            GoldenCase(world: "road-two-operators", mode: .trpTrp, overrides: ["cooperation.policy=track-sharing"]),
            GoldenCase(world: "road-two-operators", mode: .trpTrp, overrides: ["cooperation.calibration=false"]),
        ]
        // Handover policies (hysteresis is uav-corridor's own).
        + ["strongest", "predictive", "none"].map {
            GoldenCase(world: "uav-corridor", mode: .monostatic, frames: 40, overrides: ["handover.policy=\($0)"])
        }
        + [
            GoldenCase(world: "uav-corridor", mode: .monostatic, frames: 40),
            GoldenCase(world: "factory", mode: .monostatic, frames: 20, overrides: ["handover.policy=hysteresis"]),
            GoldenCase(
                world: "road-two-operators", mode: .trpTrp, frames: 20,
                overrides: ["cooperation.policy=isolated", "handover.policy=strongest"]),
        ]
        // Sensing imperfections off the shipped worlds' defaults.
        + [
            GoldenCase(
                world: "tiny", mode: .hybrid, frames: 20,
                overrides: [
                    "sensing.backgroundReflectors=4", "sensing.stoMaxNs=80", "sensing.missProbability=0.1",
                    "sensing.clutterRate=2",
                ]),
            GoldenCase(world: "tiny", mode: .trpTrp, overrides: ["sensing.lineOfSight=both"]),
            GoldenCase(world: "road", mode: .monostatic, overrides: ["sensing.lineOfSight=stochastic"]),
            GoldenCase(world: "tiny", mode: .cellFree, overrides: ["sensing.beamSweep=false", "sensing.identificationAccuracy=0.5"]),
        ]
}

/// `golden-digests.json`: case name → table → digest (hexadecimal).
enum GoldenFile {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden-digests.json")

    /// The recording's data tables (everything but the session row and the resume point,
    /// whose encoding may change without the run changing).
    static let tables = [
        "frame", "mover", "base_station", "ris", "sensing_link", "truth", "ue_report", "ue_truth", "observation",
        "observation_truth", "localization", "localization_frame", "track", "track_event", "twin_frame", "handover_event",
    ]

    static func load() throws -> [String: [String: String]] {
        try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: url))
    }

    private static let lock = NSLock()

    /// Adds or replaces one case in the file (cases run in parallel: one writer at a time).
    static func store(_ name: String, _ digests: [String: String]) throws {
        lock.lock()
        defer { lock.unlock() }
        var all = (try? load()) ?? [:]
        all[name] = digests
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(all).write(to: url)
    }
}
