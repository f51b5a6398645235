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
    @Test(arguments: [
        [], ["run"], ["validate"], ["worlds"], ["inspect"], ["twin"], ["replay"], ["metrics"], ["compare"], ["report"], ["localize"],
    ])
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

    /// kill -9 in the middle of a run, then `run --resume`: the recording (every frame table)
    /// and the twin end exactly as those of an uninterrupted run with the same command.
    @Test func killedRunResumesToTheSameTwin() throws {
        let straight = temporaryPath("straight.sqlite")
        let killed = temporaryPath("killed.sqlite")
        let common = ["--duration", "30", "--batch-frames", "5", "--tracker", "gnn-imm", "--set", "tracker.processNoise=2", "--quiet"]
        let s = try cli(["run", "factory", "--record", straight] + common)
        #expect(s.status == 0, "\(s.stderr)")

        let running = try start(["run", "factory", "--record", killed] + common)
        var committed = 0
        for _ in 0..<600 {  // a hang guard, not a speed requirement
            Thread.sleep(forTimeInterval: 0.05)
            if let s = try? Recording(path: killed).summary(), s.framesWritten >= 40 { committed = s.framesWritten; break }
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.process.terminationReason == .uncaughtSignal)
        let before = try Recording(path: killed).summary()
        try #require(before.status == "running", "the run finished before it was killed; nothing tested")
        #expect(committed >= 40 && before.resumeFrame == before.framesWritten)

        let again = try cli(["run", "factory", "--resume", killed])
        #expect(again.status == 2)
        #expect(again.stderr.contains("--resume continues with the world and options stored in the recording; drop a world"))
        let r = try cli(["run", "--resume", killed, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("resumed    after frame \(before.framesWritten)"))
        let (a, b) = (try Recording(path: straight), try Recording(path: killed))
        for table in ["frame", "truth", "observation", "localization", "track", "track_event", "twin_frame"] {
            #expect(try a.digest(table: table) == b.digest(table: table), "table \(table) differs")
        }
        let twinA = try cli(["twin", straight, "--json", "--all"]).stdout
        let twinB = try cli(["twin", killed, "--json", "--all"]).stdout
        #expect(twinA.replacingOccurrences(of: straight, with: "X") == twinB.replacingOccurrences(of: killed, with: "X"))
        #expect(twinA.contains("\"status\" : \"confirmed\""))
        let done = try cli(["run", "--resume", killed])
        #expect(done.status == 2)
        #expect(done.stderr.contains("the run completed (300 frames); there is nothing to resume"))
    }

    /// `replay --verify` reproduces a run; another tracker is reported as a difference (exit 1).
    @Test func replayVerifiesARecording() throws {
        let path = temporaryPath("replay.sqlite")
        #expect(try cli(["run", "factory", "--duration", "2", "--record", path, "--quiet"]).status == 0)
        let same = try cli(["replay", path, "--verify"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("verify     every frame's localisations and twin equal the recording"))
        let other = try cli(["replay", path, "--verify", "--tracker", "jpda-ca"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("verify     DIFFERS: frame "))
        let bad = try cli(["replay", path, "--tracker", "jpda-caa"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("tracker.name"))
    }

    /// `twin` prints the stored tracks (table and JSON) and names what is wrong.
    @Test func twinCommandPrintsTheStoredTracks() throws {
        let path = temporaryPath("twin.sqlite")
        #expect(try cli(["run", "factory", "--duration", "2", "--record", path, "--quiet"]).status == 0)
        let table = try cli(["twin", path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("at frame 20, t = 2.000 s"))
        let early = try cli(["twin", path, "--at", "0.45", "--json"])
        #expect(early.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(early.stdout.utf8)) as? [String: Any]
        #expect(object?["frame"] as? Int == 4)
        let tracks = try #require(object?["tracks"] as? [[String: Any]])
        let stored = try #require(try Recording(path: path).twin(frame: 4))
        let confirmed = stored.tracks.filter { $0.status != .tentative }
        #expect(tracks.count == confirmed.count && !tracks.isEmpty)
        for (json, row) in zip(tracks, confirmed) {
            #expect(json["id"] as? Int == row.id)
            #expect(json["status"] as? String == row.status.rawValue)
            // Coordinates compared as text (round-trip precision): Foundation's JSON parser on
            // Linux rounds the last digit.
            let position = try #require(json["position"] as? [Double])
            #expect(position.count == 3)
            let tokens = Set(early.stdout.split(whereSeparator: { " ,\n[]".contains($0) }).map(String.init))
            for x in [row.position.x, row.position.y, row.position.z] { #expect(tokens.contains("\(x)"), "\(x)") }
        }
        let none = try cli(["twin", path, "--at", "0.01"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("it holds no twin at or before t = 0.01 s"))
        let typo = try cli(["run", "tiny", "--no-record", "--tracker", "gnn-cvv"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("tracker.name") && typo.stderr.contains("'gnn-cv'"))
        let badSet = try cli(["run", "tiny", "--no-record", "--set", "tracker.confirmHits"])
        #expect(badSet.status == 2)
        #expect(badSet.stderr.contains("--set expects key.path=value"))
    }

    @Test func metricsAndCompareScoreARecording() throws {
        let path = temporaryPath("metrics.sqlite")
        #expect(try cli(["run", "factory", "--duration", "2", "--record", path, "--quiet"]).status == 0)
        let table = try cli(["metrics", path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("20 frames (2.0 s)") && table.stdout.contains("continuity (overall)"))
        let json = try cli(["metrics", path, "--json", "--threshold", "0.5", "--cutoff", "5"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        for key in [
            "recording", "frames", "duration", "frameDuration", "localizer", "tracker", "targets", "threshold", "cutoff", "order", "raw",
            "tracked", "tracks", "infrastructure",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["frames"] as? Int == 20 && object["targets"] as? String == "heard")
        #expect(object["threshold"] as? Double == 0.5 && object["cutoff"] as? Double == 5)
        for estimator in ["raw", "tracked"] {
            let e = try #require(object[estimator] as? [String: Any])
            for key in ["truths", "reported", "correct", "pMD", "pFA", "rmse", "p50", "p90", "p95", "continuity", "ospa", "gospa"] {
                #expect(e[key] != nil, "missing \(estimator).\(key)")
            }
            let continuity = try #require(e["continuity"] as? [String: Any])
            let targets = try #require(continuity["targets"] as? [[String: Any]])
            #expect(targets.count == 17 && targets[0]["name"] as? String != nil && targets[0]["longestGap"] as? Int != nil)
            let gospa = try #require(e["gospa"] as? [String: Any])
            #expect(Set(gospa.keys) == ["mean", "localization", "missed", "false"])
            #expect(e["errors"] == nil)
        }
        let tracks = try #require(object["tracks"] as? [String: Any])
        for key in ["completeness", "ambiguity", "spuriousness", "trackNumberChangeRate", "idSwitches"] {
            #expect(tracks[key] != nil, "missing tracks.\(key)")
        }
        // B is the same world sensed in trp-ue mode: difference = B − A, checked on one key.
        let other = temporaryPath("metrics-other.sqlite")
        #expect(try cli(["run", "factory", "--duration", "2", "--mode", "trp-ue", "--record", other, "--quiet"]).status == 0)
        let compare = try cli(["compare", path, other, "--json"])
        #expect(compare.status == 0)
        let both = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any])
        let difference = try #require(both["difference"] as? [String: Any])
        let rawA = try #require((both["a"] as? [String: Any])?["raw"] as? [String: Any])
        let rawB = try #require((both["b"] as? [String: Any])?["raw"] as? [String: Any])
        let (reportedA, reportedB) = (try #require(rawA["reported"] as? Int), try #require(rawB["reported"] as? Int))
        #expect(reportedA != reportedB)
        let (pA, pB) = (try #require(rawA["pFA"] as? Double), try #require(rawB["pFA"] as? Double))
        let diff = try #require(difference["raw.pFA"] as? Double)
        #expect(abs(diff - (pB - pA)) < 1e-12)  // B − A, not A − B
        #expect(pA != pB)
        #expect(try cli(["compare", path, path]).stdout.contains("B − A"))
        let missing = try cli(["metrics", path + ".missing"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such recording"))
        #expect(try cli(["compare", path, path + ".missing"]).status == 2)
        #expect(try cli(["metrics", path, "--order", "0.5"]).status == 2)
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

    @Test func reportWritesOneHTMLFile() throws {
        let path = temporaryPath("report.sqlite"), html = temporaryPath("report.html")
        #expect(try cli(["run", "factory", "--duration", "2", "--record", path, "--quiet"]).status == 0)
        let r = try cli(["report", path, "-o", html, "--threshold", "0.8"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(html) && r.stdout.contains("continuity raw") && r.stdout.contains("OSPA"))
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>") && text.contains("δ = 0.8 m"))
        let missing = try cli(["report", path + ".missing", "-o", html + "2"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such recording"))
        #expect(!FileManager.default.fileExists(atPath: html + "2"))
    }
}
