import ArgumentParser
import Foundation
import TwinMath
import TwinStore
import TwinTracking

struct TwinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twin",
        abstract: "Print the twin (the tracker's tracks) stored in a recording at a time.",
        discussion: """
            Shows the confirmed and coasting tracks of the last frame at or before --at (default: \
            the last frame recorded): id, status, position, velocity, position standard deviation \
            (square root of the largest eigenvalue of the covariance), age in frames, hits, \
            consecutive misses, time of the last detection and, for an IMM, the model \
            probabilities (CV, CT). --json prints the same as one JSON object (schema in README.md).
            """)

    @Argument(help: "Recording file (SQLite).")
    var recording: String

    @Option(help: "Simulated time in seconds (the last frame at or before it).")
    var at: Double?

    @Flag(help: "Include tentative tracks.")
    var all = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if let at, !at.isFinite || at < 0 { throw ValidationError("--at must be a time ≥ 0 in seconds, found \(at)") }
    }

    func run() throws {
        let (frame, twin) = try withUserErrors { () throws -> (Int, (time: Double, tracks: [Recording.TrackRow], rejected: Int)) in
            let r = try Recording(path: recording)
            guard let frame = try r.twinFrame(atOrBefore: at), let twin = try r.twin(frame: frame) else {
                let what = at.map { "at or before t = \($0) s" } ?? "at all"
                throw RecordingError.notARecording(
                    path: recording, reason: "it holds no twin \(what) (recorded before tracking, or too early)")
            }
            return (frame, twin)
        }
        let tracks = twin.tracks.filter { all || $0.status != .tentative }
        if json {
            print(Self.json(recording: recording, frame: frame, time: twin.time, rejected: twin.rejected, tracks: tracks))
            return
        }
        print(
            String(
                format: "twin of %@ at frame %d, t = %.3f s: %d tracks%@", recording, frame, twin.time, tracks.count,
                all ? "" : " (confirmed and coasting)"))
        print("   id  status       x (m)     y (m)    z (m)  speed (m/s)   σ (m)   age  hits  miss  last (s)  models")
        for t in tracks {
            let sigma = Self.largestStandardDeviation(t.positionCovariance)
            let models =
                t.modelProbabilities.count > 1 ? t.modelProbabilities.map { String(format: "%.2f", $0) }.joined(separator: " ") : ""
            print(
                String(
                    format: "%5d  %-9@ %9.2f %9.2f %8.2f %12.2f %7.3f %5d %5d %5d %9.2f  %@", t.id, t.status.rawValue, t.position.x,
                    t.position.y, t.position.z, t.velocity.norm, sigma, t.age, t.hits, t.misses, t.lastUpdate, models))
        }
    }

    /// √λmax of a covariance (LAPACK's symmetric eigensolver; the trace if it fails).
    static func largestStandardDeviation(_ c: SymmetricMatrix3) -> Double {
        let m = Matrix(rows: [[c.xx, c.xy, c.xz], [c.xy, c.yy, c.yz], [c.xz, c.yz, c.zz]])
        let values = (try? m.symmetricEigen().values) ?? [c.trace]
        return (values.max() ?? 0).squareRoot()
    }

    static func json(recording: String, frame: Int, time: Double, rejected: Int, tracks: [Recording.TrackRow]) -> String {
        func vec(_ v: Vec3) -> [JSONNumber] { [JSONNumber(v.x), JSONNumber(v.y), JSONNumber(v.z)] }
        let rows = tracks.map { t in
            let c = t.positionCovariance
            return TwinJSON.Track(
                id: t.id, status: t.status.rawValue, position: vec(t.position), velocity: vec(t.velocity),
                positionCovariance: [[c.xx, c.xy, c.xz], [c.xy, c.yy, c.yz], [c.xz, c.yz, c.zz]].map { $0.map { JSONNumber($0) } },
                age: t.age, hits: t.hits, misses: t.misses, birthTime: JSONNumber(t.birthTime), lastUpdate: JSONNumber(t.lastUpdate),
                modelProbabilities: t.modelProbabilities.map { JSONNumber($0) })
        }
        return JSONCoding.text(
            TwinJSON(recording: recording, frame: frame, time: JSONNumber(time), rejectedThisFrame: rejected, tracks: rows), pretty: true)
    }
}
