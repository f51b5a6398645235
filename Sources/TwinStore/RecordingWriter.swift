import Foundation
import GRDB
import TwinLocalization
import TwinSensing
import TwinTracking
import TwinWorld

/// What a session is, stored once at the start of the recording.
public struct SessionMetadata: Sendable, Equatable {
    public var softwareVersion: String
    public var commandLine: String
    public var worldFile: String
    public var worldText: String
    public var seed: UInt64
    public var dt: Double
    public var plannedFrames: Int
    /// The localiser the fusion centre ran (nil: no localisation was recorded).
    public var localizer: String?
    /// The tracker that kept the twin (nil: no tracking was recorded).
    public var tracker: String?
    /// The run's options beyond the world file (JSON, written by TwinEngine), so that a
    /// resumed run uses the same ones.
    public var runOptions: String?

    public init(
        softwareVersion: String, commandLine: String, worldFile: String, worldText: String,
        seed: UInt64, dt: Double, plannedFrames: Int, localizer: String? = nil, tracker: String? = nil, runOptions: String? = nil
    ) {
        self.localizer = localizer
        self.tracker = tracker
        self.runOptions = runOptions
        self.softwareVersion = softwareVersion
        self.commandLine = commandLine
        self.worldFile = worldFile
        self.worldText = worldText
        self.seed = seed
        self.dt = dt
        self.plannedFrames = plannedFrames
    }
}

/// The twin after one frame, for the recording: the tracker's state and what the frame did.
public struct TwinFrameRecord: Sendable {
    public var state: TwinState
    public var report: TrackerFrameReport

    public init(state: TwinState, report: TrackerFrameReport) {
        self.state = state
        self.report = report
    }
}

/// Writes one session to one SQLite file.
///
/// Frames are buffered and committed `batchFrames` at a time, each batch in one transaction
/// that also advances `session.framesWritten`. The file is in WAL mode with
/// `synchronous = NORMAL`: a killed process (kill -9) loses at most the uncommitted batch and
/// leaves a file that opens and reads consistently up to the last committed frame. (Power loss
/// may lose the last batches too; that is the price of not fsyncing every batch.) Each batch's
/// transaction also replaces the resume point (the run's exact state after the batch's last
/// frame), so the twin, the frames and the state to resume from always agree.
public final class RecordingWriter {
    public let path: String
    private let queue: DatabaseQueue
    private let batchFrames: Int
    private var pending:
        [(
            snapshot: WorldSnapshot, observations: FrameObservations?, truth: ObservationTruth?, localization: LocalizationResult?,
            twin: TwinFrameRecord?
        )] = []
    private(set) public var framesWritten = 0
    /// Handover events of the queued frames (committed with them).
    private var pendingHandovers: [HandoverEvent] = []

    /// Creates (or replaces) the recording at `path` and stores the session and the world's
    /// static catalogue (movers, base stations, RIS).
    public init(path: String, metadata: SessionMetadata, world: World, links: [SensingLink] = [], batchFrames: Int = 50) throws {
        self.path = path
        self.batchFrames = max(1, batchFrames)
        let fm = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !fm.fileExists(atPath: directory) {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw RecordingError.cannotCreate(path: path, reason: "cannot create folder \(directory)")
            }
        }
        // Replace an earlier recording, never anything else (a typo must not eat a world file).
        if fm.fileExists(atPath: path) {
            do { _ = try Recording(path: path) } catch {
                throw RecordingError.cannotCreate(path: path, reason: "the file exists and is not an isac-twin recording; not replacing it")
            }
        }
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            do { try fm.removeItem(atPath: path + suffix) } catch {
                throw RecordingError.cannotCreate(path: path, reason: "an existing file cannot be replaced")
            }
        }
        var config = Configuration()
        config.journalMode = .wal
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try RecordingSchema.migrator.migrate(queue)
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO session (id, softwareVersion, commandLine, worldFile, worldText, seed, dt, plannedFrames, status,
                                             localizer, tracker, runOptions)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)
                        """,
                    arguments: [
                        metadata.softwareVersion, metadata.commandLine, metadata.worldFile, metadata.worldText,
                        Int64(bitPattern: metadata.seed), metadata.dt, metadata.plannedFrames, metadata.localizer,
                        metadata.tracker, metadata.runOptions,
                    ])
                for m in world.movers {
                    try db.execute(
                        sql: "INSERT INTO mover (id, name, class, carriesUE, uavSize) VALUES (?, ?, ?, ?, ?)",
                        arguments: [m.id, m.name, m.moverClass.rawValue, m.carriesUE, m.uavSize?.rawValue])
                }
                for (i, bs) in world.spec.baseStations.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO base_station VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            i, bs.name, bs.tier.rawValue, bs.operatorName, bs.position.x, bs.position.y, bs.position.z,
                            bs.carrierFrequency, bs.bandwidth, bs.subcarrierSpacing, bs.txPower,
                            bs.arraySize.x, bs.arraySize.y, bs.noiseFigure, bs.clockOffset,
                        ])
                }
                for link in links {
                    try db.execute(
                        sql: "INSERT INTO sensing_link (id, kind, transmitter, receiver, panel) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            link.id, link.kind.rawValue, Self.name(link.transmitter, world), Self.name(link.receiver, world),
                            link.panel?.name,
                        ])
                }
                for (i, r) in world.spec.ris.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO ris VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            i, r.name, r.position.x, r.position.y, r.position.z, r.azimuth, r.elevation,
                            r.elements.x, r.elements.y,
                        ])
                }
            }
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError.cannotCreate(path: path, reason: "\(error)")
        }
        pending.reserveCapacity(self.batchFrames)
    }

    /// Reopens an interrupted recording to continue it after `frame` (its resume point; nil
    /// starts again from the first frame): rows of later frames, which no committed resume
    /// point covers, are removed, and the session is marked running again.
    public init(resuming path: String, afterFrame frame: Int?, batchFrames: Int = 50) throws {
        self.path = path
        self.batchFrames = max(1, batchFrames)
        _ = try Recording(path: path)  // refuses non-recordings and newer schemas
        var config = Configuration()
        config.journalMode = .wal
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try RecordingSchema.migrator.migrate(queue)
            // Frames are numbered from 1 (the first step), so `frame` is also the number kept.
            let keep = frame ?? 0
            try queue.write { db in
                for table in RecordingSchema.frameTables where try db.tableExists(table) {
                    try db.execute(sql: "DELETE FROM \(table) WHERE frameIndex > ?", arguments: [keep])
                }
                if frame == nil { try db.execute(sql: "DELETE FROM resume_point") }
                try db.execute(sql: "UPDATE session SET framesWritten = ?, status = 'running'", arguments: [keep])
            }
            framesWritten = keep
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError.writeFailed(path: path, reason: "\(error)")
        }
        pending.reserveCapacity(self.batchFrames)
    }

    /// A node's name as stored: the base station's or the UE-carrying mover's name.
    static func name(_ node: SensingNode, _ world: World) -> String {
        switch node {
        case .baseStation(let i): return world.spec.baseStations[i].name
        case .ue(let m): return world.movers[m].name
        }
    }

    /// Queues a frame (with its observations and their truth, when sensing ran, the fusion
    /// centre's localisations and the twin, when they ran); commits when a batch is full,
    /// together with `resume` (evaluated only then: the run's state after this frame).
    public func append(
        _ snapshot: WorldSnapshot, observations: FrameObservations? = nil, truth: ObservationTruth? = nil,
        localization: LocalizationResult? = nil, twin: TwinFrameRecord? = nil, handovers: [HandoverEvent]? = nil,
        resume: @autoclosure () throws -> Data? = nil
    ) throws {
        pending.append((snapshot, observations, truth, localization, twin))
        pendingHandovers += handovers ?? []
        if pending.count >= batchFrames { try flush(resume: resume()) }
    }

    /// Commits the queued frames in one transaction, with the resume point after the last.
    public func flush(resume: Data? = nil) throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        do {
            try queue.write { db in
                let frame = try db.cachedStatement(sql: "INSERT INTO frame (frameIndex, time) VALUES (?, ?)")
                let truth = try db.cachedStatement(sql: "INSERT INTO truth VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                let ue = try db.cachedStatement(sql: "INSERT INTO ue_report VALUES (?, ?, ?, ?, ?)")
                let ueTruth = try db.cachedStatement(sql: "INSERT INTO ue_truth VALUES (?, ?, ?, ?, ?)")
                let observation = try db.cachedStatement(
                    sql: "INSERT INTO observation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                let label = try db.cachedStatement(sql: "INSERT INTO observation_truth VALUES (?, ?, ?, ?, ?, ?, ?)")
                let localized = try db.cachedStatement(
                    sql: "INSERT INTO localization VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                let localizedFrame = try db.cachedStatement(sql: "INSERT INTO localization_frame VALUES (?, ?)")
                let track = try db.cachedStatement(
                    sql: "INSERT INTO track VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                let event = try db.cachedStatement(sql: "INSERT INTO track_event VALUES (?, ?, ?)")
                let twinFrame = try db.cachedStatement(sql: "INSERT INTO twin_frame VALUES (?, ?, ?, ?, ?, ?)")
                for (snapshot, observations, labels, localization, twin) in batch {
                    try frame.execute(arguments: [snapshot.frameIndex, snapshot.time])
                    for (id, m) in snapshot.movers.enumerated() {
                        truth.setUncheckedArguments([
                            snapshot.frameIndex, id, m.position.x, m.position.y, m.position.z,
                            m.velocity.x, m.velocity.y, m.velocity.z,
                        ])
                        try truth.execute()
                        if let r = snapshot.ues[id] {
                            ue.setUncheckedArguments([
                                snapshot.frameIndex, id, r.reportedPosition.x, r.reportedPosition.y,
                                r.reportedPosition.z,
                            ])
                            try ue.execute()
                            ueTruth.setUncheckedArguments([snapshot.frameIndex, id, r.clockOffset, r.clockDrift, r.isOutlier])
                            try ueTruth.execute()
                        }
                    }
                    for (seq, m) in (observations?.measurements ?? []).enumerated() {
                        observation.setUncheckedArguments([
                            snapshot.frameIndex, seq, m.linkId, m.range, m.rangeVariance,
                            m.aoaAzimuth, m.aoaAzimuthVariance, m.aoaElevation, m.aoaElevationVariance,
                            m.aodAzimuth, m.aodAzimuthVariance, m.aodElevation, m.aodElevationVariance,
                            m.rangeRate, m.rangeRateVariance, m.snrDb,
                        ])
                        try observation.execute()
                    }
                    for (seq, t) in (labels?.labels ?? []).enumerated() {
                        label.setUncheckedArguments([
                            snapshot.frameIndex, seq, t.pathType.rawValue, t.moverId, t.reflector,
                            t.transmitter.description, t.trueRange,
                        ])
                        try label.execute()
                    }
                    if let localization {
                        try localizedFrame.execute(arguments: [snapshot.frameIndex, localization.rejected])
                        for (idx, l) in localization.localizations.enumerated() {
                            let c = l.covariance
                            localized.setUncheckedArguments([
                                snapshot.frameIndex, idx, l.position.x, l.position.y, l.position.z,
                                c.xx, c.xy, c.xz, c.yy, c.yz, c.zz, l.residual, l.degreesOfFreedom,
                                l.flags.sorted().map(\.rawValue).joined(separator: " "),
                                l.links.map(String.init).joined(separator: " "),
                            ])
                            try localized.execute()
                        }
                    }
                    if let twin {
                        let f = snapshot.frameIndex
                        let state = twin.state
                        try twinFrame.execute(arguments: [
                            f, state.time, state.tracks.count, state.confirmedTracks.count, twin.report.rejected, state.nextTrackId,
                        ])
                        for t in state.tracks {
                            let e = t.estimate
                            let c = e.covariance.positionBlock
                            let v = e.mean.velocity
                            track.setUncheckedArguments([
                                f, t.id, t.status.rawValue, e.mean[0], e.mean[1], e.mean[2], v.x, v.y, v.z,
                                c.xx, c.xy, c.xz, c.yy, c.yz, c.zz, t.age, t.hits, t.misses, t.birthTime, t.lastUpdate,
                                t.modelProbabilities.map { "\($0)" }.joined(separator: " "),
                            ])
                            try track.execute()
                        }
                        for (ids, kind) in [
                            (twin.report.born, "born"), (twin.report.confirmed, "confirmed"), (twin.report.deleted, "deleted"),
                        ] {
                            for id in ids { try event.execute(arguments: [f, id, kind]) }
                        }
                    }
                }
                try Self.insertHandovers(pendingHandovers, db)
                if let resume {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO resume_point (id, frameIndex, state) VALUES (1, ?, ?)",
                        arguments: [batch.last!.snapshot.frameIndex, resume])
                }
                try db.execute(sql: "UPDATE session SET framesWritten = framesWritten + ?", arguments: [batch.count])
            }
        } catch {
            throw RecordingError.writeFailed(path: path, reason: "\(error)")
        }
        framesWritten += batch.count
        pending.removeAll(keepingCapacity: true)
        pendingHandovers.removeAll()
    }

    /// Commits what is left, marks the session completed and folds the WAL into the main file,
    /// so the recording is one self-contained file.
    public func finish(resume: Data? = nil) throws {
        try flush(resume: resume)
        do {
            try queue.write { db in try db.execute(sql: "UPDATE session SET status = 'completed'") }
            _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try queue.close()
        } catch {
            throw RecordingError.writeFailed(path: path, reason: "\(error)")
        }
    }
}
