import Foundation
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
    }
}
