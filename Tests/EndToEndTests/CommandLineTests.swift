import Foundation
import Testing
import TwinStore

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `isac-twin` executable: beside the test bundle, or in .build/debug.
let executable: String = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("isac-twin").path
    let candidates: [String?] = [
        ProcessInfo.processInfo.environment["ISAC_TWIN_EXECUTABLE"], besideTests,
        packageRoot.appendingPathComponent(".build/debug/isac-twin").path,
    ]
    for candidate in candidates.compactMap({ $0 })
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    return besideTests
}()

struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the CLI in the package root and collects its output.
func cli(_ arguments: [String]) throws -> Result {
    let process = try start(arguments)
    let out = process.outPipe.fileHandleForReading.readDataToEndOfFile()
    let err = process.errPipe.fileHandleForReading.readDataToEndOfFile()
    process.process.waitUntilExit()
    return Result(
        status: process.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: err, as: UTF8.self))
}

func start(_ arguments: [String]) throws -> (process: Process, outPipe: Pipe, errPipe: Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isac-twin-e2e-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

@Suite(.serialized)
struct CommandLineTests {
    @Test(arguments: [[], ["run"], ["validate"], ["worlds"], ["inspect"], ["localize"]])
    func helpIsAvailable(_ command: [String]) throws {
        let r = try cli(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE:"))
    }

    @Test func validateAcceptsAShippedWorldByName() throws {
        let r = try cli(["validate", "factory"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("worlds/factory.yaml: valid"))
        #expect(r.stdout.contains("18 base stations"))
    }

    @Test func badWorldFileExitsTwoNamingFileLineKey() throws {
        let path = temporaryPath("typo.yaml")
        let text = try String(contentsOf: packageRoot.appendingPathComponent("worlds/tiny.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  dt: 0.1", with: "  dt: -0.1")
            .replacingOccurrences(of: "{name: worker, class: person}", with: "{name: worker, class: person, speeed: 2}")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for command in ["validate", "run"] {
            let r = try cli([command, path])
            #expect(r.status == 2)
            let lines = r.stderr.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(r.stderr)")
            #expect(lines.first == "error: \(path):4:7: key 'simulation.dt': expected a positive time step in seconds, found '-0.1'")
            #expect(lines.last?.hasPrefix("\(path):25:") == true)
            #expect(lines.last?.contains("key 'movers[1].speeed'") == true)
            #expect(!r.stderr.contains("Fatal error"))
        }
    }

    @Test func missingWorldFileExitsTwo() throws {
        let r = try cli(["run", "no-such-world.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: no-such-world.yaml: cannot read the world file: no such file\n")
    }

    @Test func badOptionExitsTwo() throws {
        let r = try cli(["run", "tiny", "--duration=-3"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--duration must be a positive number of seconds"))
    }

    @Test func durationShorterThanAStepExitsTwo() throws {
        let r = try cli(["run", "tiny", "--duration", "0.01", "--no-record"])
        #expect(r.status == 2)
        #expect(
            r.stderr.contains(
                "key 'simulation.duration (from --duration)': expected a duration of at least one time step (0.1 s), found 0.01 s"))
    }

    @Test func recordRefusesToOverwriteAFileThatIsNotARecording() throws {
        let path = temporaryPath("precious.yaml")
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try cli(["run", "tiny", "--record", path, "--quiet"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not an isac-twin recording; not replacing it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func modeOverrideAndObservationRecording() throws {
        let full = temporaryPath("full.sqlite"), lean = temporaryPath("lean.sqlite")
        let r = try cli(["run", "tiny", "--mode", "trp-trp", "--record", full, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // Two TRPs: the ordered pairs a→b and b→a.
        #expect(r.stdout.contains("sensing    trp-trp: 2 links"))
        let withObservations = try Recording(path: full).summary()
        #expect(withObservations.linkCounts.map(\.count) == [2])
        #expect(withObservations.observationRows > 0)
        _ = try cli(["run", "tiny", "--mode", "trp-trp", "--record", lean, "--quiet", "--no-observations"])
        let without = try Recording(path: lean).summary()
        #expect(without.observationRows == 0 && without.truthRows == withObservations.truthRows)
        let bad = try cli(["run", "tiny", "--mode", "sonar"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("sonar"))
    }

    @Test func worldsListsTheShippedWorlds() throws {
        let r = try cli(["worlds"])
        #expect(r.status == 0)
        let names = r.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(Set(names).isSuperset(of: ["factory", "road", "tiny"]))
    }

    @Test func runWritesARecordingThatInspectSummarises() throws {
        let path = temporaryPath("tiny.sqlite")
        let r = try cli(["run", "tiny", "--record", path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("frames     50 (5.0 s simulated)"))
        #expect(r.stdout.contains("recording  \(path)"))
        #expect(!r.stdout.contains("\r"))  // no progress bar into a pipe
        let i = try cli(["inspect", path])
        #expect(i.status == 0)
        #expect(i.stdout.contains("status      completed: 50 of 50 frames"))
        #expect(i.stdout.contains("rows        truth 150, ue_report 50"))
        let bad = try cli(["inspect", "/no/such.sqlite"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "error: /no/such.sqlite: no such recording\n")
    }

    @Test func killedRunLeavesAReadableRecording() throws {
        let path = temporaryPath("killed.sqlite")
        let running = try start(["run", "factory", "--duration", "3600", "--record", path, "--quiet"])
        // Wait (at most a minute, as a hang guard, not a speed requirement) for committed frames.
        var committed = 0
        for _ in 0..<600 {
            Thread.sleep(forTimeInterval: 0.1)
            if let s = try? Recording(path: path).summary(), s.framesWritten >= 200 { committed = s.framesWritten; break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(committed >= 200)
        #expect(running.process.terminationReason == .uncaughtSignal)
        let s = try Recording(path: path).summary()
        #expect(s.status == "running")
        #expect(s.framesWritten >= committed && s.framesWritten < 36_000)
        #expect(s.truthRows == s.framesWritten * 17)  // 17 movers in factory.yaml
        let i = try cli(["inspect", path])
        #expect(i.status == 0)
        #expect(i.stdout.contains("interrupted"))
    }

    @Test func localizeExampleFindsBothTargets() throws {
        for extra in [[], ["--pretty"], ["--localizer", "ellipsoid"]] {
            let r = try cli(["localize", "examples/localize.json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.isEmpty)
            let output = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(output["localizer"] as? String == (extra.count == 2 ? "ellipsoid" : "gauss-newton"))
            let targets = try #require(output["targets"] as? [[String: Any]])
            let positions = targets.compactMap { $0["position"] as? [Double] }
            #expect(positions.count == 2)
            // The true positions scripts/localize-example.py computed the file from.
            for truth in [[35, 40, 1.5], [70, 25, 20.0]] {
                let nearest = positions.map { p in zip(p, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }.min()
                #expect((nearest ?? .infinity) < 0.05, "\(truth) not found in \(positions)")
            }
        }
    }

    @Test func localizeBadFileExitsTwoNamingFileLineKey() throws {
        let path = temporaryPath("typo.json")
        let text = try String(contentsOf: packageRoot.appendingPathComponent("examples/localize.json"), encoding: .utf8)
            .replacingOccurrences(of: #""ranges": [39.37, 77.506], "rangeStd""#, with: #""ranges": [39.37, 77.506], "rangStd""#)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try cli(["localize", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("error: \(path):"))
        #expect(r.stderr.contains("links[1].rangStd: expected one of the keys"))
        #expect(r.stderr.hasSuffix("found unknown key 'rangStd' (did you mean 'rangeStd'?)\n"))

        try "{\"anchors\": [1,]}".write(toFile: path, atomically: true, encoding: .utf8)
        let malformed = try cli(["localize", path])
        #expect(malformed.status == 2)
        #expect(malformed.stderr == "error: \(path):1:16: not valid JSON: a trailing comma before ']' is not allowed in JSON\n")

        let missing = try cli(["localize", "no-such-file.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no-such-file.json: cannot read the measurement file: no such file\n")

        let badOption = try cli(["localize", "examples/localize.json", "--localizer", "kalman"])
        #expect(badOption.status == 2)
    }
}
