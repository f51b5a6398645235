import ArgumentParser
import Foundation
import TwinStore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise what a recording holds.",
        discussion: "Works on a recording of a run that was killed too: it reads up to the last committed frame.")

    @Argument(help: "Recording file (SQLite).")
    var recording: String

    func run() throws {
        let s = try withUserErrors { try Recording(path: recording).summary() }
        let m = s.metadata
        let complete = s.status == "completed" ? "completed" : "interrupted (running when last written)"
        print("recording   \(recording) (\(formatBytes(s.fileBytes)), schema \(s.schemaVersions.joined(separator: ", ")))")
        print("made by     isac-twin \(m.softwareVersion): \(m.commandLine)")
        print("world       \(m.worldFile), seed \(m.seed), dt \(m.dt) s")
        print("status      \(complete): \(s.framesWritten) of \(m.plannedFrames) frames")
        if let first = s.firstTime, let last = s.lastTime {
            print(String(format: "time        %.3f s … %.3f s", first, last))
        }
        print("movers      " + s.moverCounts.map { "\($0.count) \($0.moverClass)" }.joined(separator: ", ") + "; \(s.ueCount) carry UEs")
        let bs = s.baseStationCounts.map { "\($0.count) \($0.tier)" }.joined(separator: ", ")
        print("infra       \(bs.isEmpty ? "no" : bs) base stations, \(s.risCount) RIS")
        let links = s.linkCounts.map { "\($0.count) \($0.kind)" }.joined(separator: ", ")
        print("sensing     \(links.isEmpty ? "no links" : links + " links")")
        if let localizer = m.localizer { print("localizer   \(localizer)") }
        if let tracker = m.tracker { print("tracker     \(tracker)") }
        if s.status != "completed" {
            let point =
                s.resumeFrame.map { "resumable after frame \($0): isac-twin run --resume \(recording)" }
                ?? "no resume point (a resume starts again)"
            print("resume      \(point)")
        }
        print(
            "rows        truth \(s.truthRows), ue_report \(s.ueReportRows), observation \(s.observationRows), localization \(s.localizationRows), track \(s.trackRows)"
                + (s.handoverRows > 0 ? ", handover_event \(s.handoverRows)" : "")
        )
    }
}
