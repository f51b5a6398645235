import Foundation
import Testing
import TwinLocalization
import TwinMath
import TwinTracking
import TwinWorld

@testable import TwinEngine

// The example of docs/architecture.md ("Adding an algorithm"), compiled here; the test below
// checks that the document shows exactly this code.

// BEGIN docs/architecture.md example
/// Every monostatic echo with a full angle of arrival is one target: anchor + range · direction.
struct SingleEchoLocalizer: Localizer {
    var name: String { "single-echo" }
    func localize(_ problem: LocalizationProblem) throws(ProblemError) -> LocalizationResult {
        var found: [Localization] = []
        for (l, link) in problem.links.enumerated() where link.isMonostatic {
            for (e, echo) in link.echoes.enumerated() {
                guard let arrival = echo.arrival, let u = arrival.unitVector else { continue }
                let v = echo.rangeVariance + echo.range * echo.range * (arrival.azimuthVariance + (arrival.elevationVariance ?? 0))
                found.append(
                    Localization(
                        position: problem.anchors[link.receiver].position + echo.range * u,
                        covariance: SymmetricMatrix3(xx: v, xy: 0, xz: 0, yy: v, yz: 0, zz: v), links: [link.id],
                        echoes: [EchoRef(link: l, echo: e)], residual: 0, degreesOfFreedom: 0, flags: []))
            }
        }
        return LocalizationResult(localizations: found)
    }
}

/// A deleter that ends a track at its first missed frame.
struct FirstMissDeleter: Deleter {
    func shouldDelete(_ track: Track) -> Bool { track.misses > 0 }
}

func registerExamples() {
    Localizers.registry.register("single-echo", summary: "each monostatic echo with a full arrival angle") { _ in
        SingleEchoLocalizer()
    }
    Trackers.registry.register("gnn-cv-strict", summary: "gnn-cv that ends a track at its first miss") { s, state in
        var settings = s  // every tracker key the world file gave, under the built-in's name
        settings.name = "gnn-cv"
        guard var tracker = try Trackers.make(settings, state: state) as? MultiTargetTracker else {
            throw TrackerSettingsError(problems: [("name", "the built-in gnn-cv", "another tracker")])
        }
        tracker.deleter = FirstMissDeleter()
        return tracker
    }
}
// END docs/architecture.md example

/// Registered once for the whole test run (a name is registered only once).
let examplesRegistered: Void = registerExamples()

@Suite struct ArchitectureExampleTests {
    init() { _ = examplesRegistered }

    @Test func documentShowsTheCompiledExample() throws {
        let doc = try String(contentsOfFile: packageRoot.appendingPathComponent("docs/architecture.md").path, encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        func between(_ text: String, _ start: String, _ end: String) throws -> String {
            let a = try #require(text.range(of: start)), b = try #require(text.range(of: end, range: a.upperBound..<text.endIndex))
            return text[a.upperBound..<b.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let shown = try between(doc, "```swift\n// example: a localiser and a tracker\n", "```")
        let compiled = try between(source, "// BEGIN docs/architecture.md example\n", "// END docs/architecture.md example")
        #expect(shown == compiled)
    }

    /// The example localiser on a problem solved by hand: an anchor 10 m up, an echo at 20 m
    /// arriving 30° below the horizon along +x, puts the target at (20·cos 30°, 0, 0).
    @Test func singleEchoLocalizerPlacesTheEchoByHand() throws {
        let localizer = try #require(Localizers.make("single-echo"))
        let echo = LocalizationProblem.Echo(
            range: 20, rangeVariance: 0.01,
            arrival: .init(azimuth: 0, azimuthVariance: 1e-4, elevation: -.pi / 6, elevationVariance: 1e-4))
        let problem = LocalizationProblem(
            anchors: [.init(name: "bs", position: Vec3(0, 0, 10))], links: [.init(id: 7, transmitter: 0, receiver: 0, echoes: [echo])])
        let l = try #require(try localizer.localize(problem).localizations.first)
        #expect(l.position.distance(to: Vec3(20 * cos(Double.pi / 6), 0, 0)) < 1e-9)
        #expect(abs(l.covariance.xx - (0.01 + 400 * 2e-4)) < 1e-12 && l.links == [7])
    }

    /// Both plug in by name like the built-ins: a world run accepts them, the key reference
    /// lists them, and the strict deleter leaves no track that missed a frame in the twin.
    @Test func registeredComponentsRunByName() throws {
        let tiny = packageRoot.appendingPathComponent("worlds/tiny.yaml").path
        let summary = try Simulation(
            worldFile: tiny,
            options: RunOptions(
                duration: 3, mode: .monostatic, localizer: "single-echo", tracker: "gnn-cv-strict",
                overrides: [WorldOverride(key: "sensing.missProbability", value: "0.5")])
        ).run()
        #expect(summary.localizer == "single-echo" && summary.tracker == "gnn-cv-strict")
        #expect(summary.localization.detection.reported > 0)
        #expect(summary.twin.tracks.allSatisfy { $0.status != .coasting } && summary.twin.confirmedTracks.allSatisfy { $0.misses == 0 })
        #expect(!summary.twin.confirmedTracks.isEmpty)
        // With half the echoes missed, the strict deleter ends more tracks than gnn-cv's (5
        // misses in a row or covariance growth).
        let relaxed = try Simulation(
            worldFile: tiny,
            options: RunOptions(
                duration: 3, mode: .monostatic, localizer: "single-echo", tracker: "gnn-cv",
                overrides: [WorldOverride(key: "sensing.missProbability", value: "0.5")])
        ).run()
        #expect(summary.tracking.deleted > relaxed.tracking.deleted, "\(summary.tracking.deleted) vs \(relaxed.tracking.deleted)")
        #expect(try #require(KeyReference.markdown("localizer")).contains("`single-echo`"))
    }
}
