import Foundation
import GRDB
import Testing
import TwinStore

@testable import TwinEngine

/// worlds/factory-ris.yaml through the recording: the RIS links are stored, their
/// localisations are labelled, and a run killed and resumed (RIS leg states in the resume
/// point) equals an uninterrupted one table by table.
@Suite struct RISRecordingTests {
    @Test func resumedRISRunEqualsUninterruptedRunAndLinksAreStored() throws {
        let file = packageRoot.appendingPathComponent("worlds/factory-ris.yaml").path
        func options(_ path: String) -> RunOptions { RunOptions(duration: 3, recordPath: path, commandLine: "test", batchFrames: 7) }
        let straight = temporaryPath("ris-straight.sqlite")
        let full = try Simulation(worldFile: file, options: options(straight)).run()
        let interrupted = temporaryPath("ris-interrupted.sqlite")
        var o = options(interrupted)
        o.stopAfterFrames = 17
        #expect(throws: SimulationInterrupted.self) { try Simulation(worldFile: file, options: o).run() }
        let resumed = try Simulation.resume(recording: interrupted, commandLine: "test --resume")
        #expect(resumed.twin == full.twin)
        let tables = ResumeTests.frameTables
        let a = try Recording(path: interrupted), b = try Recording(path: straight)
        for table in tables { #expect(try a.digest(table: table) == b.digest(table: table), "\(table)") }

        // 5 monostatic links and one RIS link per panel.
        let summary = try b.summary()
        #expect(summary.linkCounts.map(\.kind) == ["monostatic", "ris"])
        #expect(summary.linkCounts.map(\.count) == [5, 2])
        // Localisations through a panel carry "ris" in their infrastructure label.
        let labels = try b.localizationInfrastructure().values.flatMap { $0 }
        #expect(labels.contains { $0.hasSuffix("+ ris") })
        // Each RIS link names its panel (v6); the others have none.
        let rows = try DatabaseQueue(path: straight).read { db in
            try Row.fetchAll(db, sql: "SELECT kind, receiver, panel FROM sensing_link ORDER BY id").map {
                ($0[0] as String, $0[1] as String, $0[2] as String?)
            }
        }
        #expect(rows.filter { $0.0 == "monostatic" }.allSatisfy { $0.2 == nil })
        #expect(rows.filter { $0.0 == "ris" }.map { "\($0.1)/\($0.2 ?? "-")" } == ["trp-5/ris-west", "trp-3/ris-south"])

        // A recording made before v7 (no panel column) still reads.
        let old = temporaryPath("ris-v5.sqlite")
        try FileManager.default.copyItem(atPath: straight, toPath: old)
        try DatabaseQueue(path: old).write { db in
            try db.execute(sql: "ALTER TABLE sensing_link DROP COLUMN panel")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7-ris-panel'")
        }
        let v5 = try Recording(path: old)
        #expect(try v5.summary().linkCounts.map(\.count) == [5, 2])
        #expect(try v5.localizationInfrastructure() == b.localizationInfrastructure())
    }

    /// Two panels served by one BS: their links have the same kind and ends, and differ only
    /// by the stored panel.
    @Test func twoPanelsOnOneBaseStationAreTellable() throws {
        let file = packageRoot.appendingPathComponent("worlds/factory-ris.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let path = temporaryPath("ris-two-panels.sqlite")
        _ = try Simulation(
            worldFile: "two-panels.yaml",
            worldText: text.replacingOccurrences(
                of: "elements: [32, 32]}\n    - {name: ris-south", with: "elements: [32, 32], baseStation: trp-3}\n    - {name: ris-south"),
            options: RunOptions(duration: 0.3, recordPath: path, commandLine: "test")
        ).run()
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT transmitter, receiver, panel FROM sensing_link WHERE kind = 'ris' ORDER BY id").map {
                "\($0[0] as String)>\($0[1] as String)/\(($0[2] as String?) ?? "-")"
            }
        }
        #expect(rows == ["trp-3>trp-3/ris-west", "trp-3>trp-3/ris-south"])
    }
}
