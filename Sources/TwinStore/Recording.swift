import Foundation
import GRDB
import TwinLocalization
import TwinMath
import TwinSensing
import TwinTracking
import TwinWorld

/// A recording opened for reading.
public final class Recording {
    public let path: String
    let queue: DatabaseQueue

    public struct Summary: Sendable, Equatable {
        public var metadata: SessionMetadata
        public var status: String
        public var framesWritten: Int
        public var firstTime: Double?
        public var lastTime: Double?
        public var moverCounts: [(moverClass: String, count: Int)]
        public var ueCount: Int
        public var baseStationCounts: [(tier: String, count: Int)]
        public var risCount: Int
        public var truthRows: Int
        public var ueReportRows: Int
        public var observationRows: Int
        /// Localised targets stored (all frames), and the localiser that made them.
        public var localizationRows: Int
        /// Track rows (one per live track and frame) and the last frame with a resume point.
        public var trackRows: Int
        /// Rows of `handover_event` (0 without a handover policy or before v5).
        public var handoverRows: Int
        public var resumeFrame: Int?
        public var linkCounts: [(kind: String, count: Int)]
        public var fileBytes: Int64
        public var schemaVersions: [String]

        public static func == (a: Self, b: Self) -> Bool {
            a.metadata == b.metadata && a.status == b.status && a.framesWritten == b.framesWritten
                && a.truthRows == b.truthRows && a.ueReportRows == b.ueReportRows
        }
    }

    /// Opens a recording read-only. A file that is missing, not SQLite, not a recording, or
    /// written by a newer schema gives a `RecordingError`.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw RecordingError.notFound(path: path) }
        var config = Configuration()
        config.readonly = true
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let (tables, applied) = try queue.read { db in
                (
                    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                    try RecordingSchema.migrator.appliedIdentifiers(db)
                )
            }
            guard tables.contains("session"), tables.contains("truth") else {
                throw RecordingError.notARecording(path: path, reason: "it has no session and truth tables")
            }
            let known = Set(RecordingSchema.migrator.migrations)
            let unknown = applied.filter { !known.contains($0) }.sorted()
            if !unknown.isEmpty { throw RecordingError.newerSchema(path: path, unknown: unknown) }
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError.notARecording(path: path, reason: "\(error)")
        }
    }

    public func summary() throws -> Summary {
        try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM session WHERE id = 1") else {
                throw RecordingError.notARecording(path: path, reason: "its session table is empty")
            }
            let metadata = SessionMetadata(
                softwareVersion: row["softwareVersion"], commandLine: row["commandLine"], worldFile: row["worldFile"],
                worldText: row["worldText"], seed: UInt64(bitPattern: row["seed"] as Int64), dt: row["dt"],
                plannedFrames: row["plannedFrames"], localizer: row["localizer"], tracker: row["tracker"],
                runOptions: row["runOptions"])
            let span = try Row.fetchOne(db, sql: "SELECT MIN(time) AS first, MAX(time) AS last FROM frame")
            let movers = try Row.fetchAll(db, sql: "SELECT class, COUNT(*) AS n FROM mover GROUP BY class ORDER BY class")
            let tiers = try Row.fetchAll(db, sql: "SELECT tier, COUNT(*) AS n FROM base_station GROUP BY tier ORDER BY tier")
            // An interrupted run may still hold its last frames in the write-ahead log beside it.
            let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            let bytes = ["", "-wal"].reduce(Int64(0)) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value ?? 0)
            }
            return Summary(
                metadata: metadata, status: row["status"], framesWritten: row["framesWritten"],
                firstTime: span?["first"], lastTime: span?["last"],
                moverCounts: movers.map { ($0["class"], $0["n"]) },
                ueCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mover WHERE carriesUE") ?? 0,
                baseStationCounts: tiers.map { ($0["tier"], $0["n"]) },
                risCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ris") ?? 0,
                truthRows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM truth") ?? 0,
                ueReportRows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ue_report") ?? 0,
                observationRows: tables.contains("observation") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM observation") ?? 0 : 0,
                localizationRows: tables.contains("localization")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM localization") ?? 0 : 0,
                trackRows: tables.contains("track") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM track") ?? 0 : 0,
                handoverRows: tables.contains("handover_event")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM handover_event") ?? 0 : 0,
                resumeFrame: tables.contains("resume_point")
                    ? try Int.fetchOne(db, sql: "SELECT frameIndex FROM resume_point WHERE id = 1") : nil,
                linkCounts: tables.contains("sensing_link")
                    ? try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM sensing_link GROUP BY kind ORDER BY kind").map {
                        ($0["kind"], $0["n"])
                    } : [],
                fileBytes: bytes,
                schemaVersions: try RecordingSchema.migrator.appliedIdentifiers(db).sorted())
        }
    }

    /// Truth of one frame, indexed by mover id.
    public func truth(frame: Int) throws -> [MoverState] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM truth WHERE frameIndex = ? ORDER BY moverId", arguments: [frame]).map {
                MoverState(
                    position: Vec3($0["x"] as Double, $0["y"] as Double, $0["z"] as Double),
                    velocity: Vec3($0["vx"] as Double, $0["vy"] as Double, $0["vz"] as Double))
            }
        }
    }

    /// The localisations stored for one frame, in their stored order. The echoes a
    /// localisation used are not stored (its `links` are), so `echoes` is empty.
    public func localizations(frame: Int) throws -> [Localization] {
        try queue.read { db in
            guard try db.tableExists("localization") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM localization WHERE frameIndex = ? ORDER BY idx", arguments: [frame]).map {
                row in
                let flags: String = row["flags"]
                let links: String = row["links"]
                return Localization(
                    position: Vec3(row["x"] as Double, row["y"] as Double, row["z"] as Double),
                    covariance: SymmetricMatrix3(
                        xx: row["cxx"], xy: row["cxy"], xz: row["cxz"], yy: row["cyy"], yz: row["cyz"], zz: row["czz"]),
                    links: links.split(separator: " ").compactMap { Int($0) }, echoes: [], residual: row["residual"],
                    degreesOfFreedom: row["dof"],
                    flags: Set(flags.split(separator: " ").compactMap { Localization.Flag(rawValue: String($0)) }))
            }
        }
    }

    /// One recorded frame as the simulation produced it: the truth snapshot (movers and UE
    /// reports with their clock truth), and the observations with their truth labels (empty
    /// when the run kept no observations).
    public struct RecordedFrame: Sendable {
        public var snapshot: WorldSnapshot
        public var observations: FrameObservations
        public var labels: ObservationTruth
    }

    /// The recorded frame indices, ascending.
    public func frameIndices() throws -> [Int] {
        try queue.read { db in try Int.fetchAll(db, sql: "SELECT frameIndex FROM frame ORDER BY frameIndex") }
    }

    /// Frame `frame` read back (`moverCount` movers, in id order). Columns are read by
    /// position through cached statements: replay reads thousands of rows per frame.
    /// `measurements: false` skips the observations and their truth labels (see
    /// `heardMovers(frame:)` for the one thing scoring needs from the labels).
    public func recordedFrame(_ frame: Int, moverCount: Int, measurements readMeasurements: Bool = true) throws -> RecordedFrame {
        try queue.read { db in
            guard let time = try Double.fetchOne(db.cachedStatement(sql: "SELECT time FROM frame WHERE frameIndex = ?"), arguments: [frame])
            else {
                throw RecordingError.notARecording(path: path, reason: "it has no frame \(frame)")
            }
            var movers = [MoverState](repeating: MoverState(position: .zero, velocity: .zero), count: moverCount)
            let truth = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT moverId, x, y, z, vx, vy, vz FROM truth WHERE frameIndex = ? ORDER BY moverId"),
                arguments: [frame])
            while let row = try truth.next() {
                let id: Int = row[0]
                guard movers.indices.contains(id) else { continue }
                movers[id] = MoverState(
                    position: Vec3(row[1] as Double, row[2] as Double, row[3] as Double),
                    velocity: Vec3(row[4] as Double, row[5] as Double, row[6] as Double))
            }
            var ues = [UEReport?](repeating: nil, count: moverCount)
            let reports = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT r.moverId, r.x, r.y, r.z, t.clockOffsetS, t.clockDriftSPerS, t.isOutlier
                        FROM ue_report r JOIN ue_truth t USING (frameIndex, moverId) WHERE r.frameIndex = ? ORDER BY r.moverId
                        """), arguments: [frame])
            while let row = try reports.next() {
                let id: Int = row[0]
                guard ues.indices.contains(id) else { continue }
                ues[id] = UEReport(
                    reportedPosition: Vec3(row[1] as Double, row[2] as Double, row[3] as Double), clockOffset: row[4], clockDrift: row[5],
                    isOutlier: row[6])
            }
            var measurements: [TwinSensing.Measurement] = []
            var labels: [MeasurementTruth] = []
            if try db.tableExists("observation") {
                let observations = try Row.fetchCursor(
                    db.cachedStatement(
                        sql: """
                            SELECT linkId, range, rangeVar, aoaAzimuth, aoaAzimuthVar, aoaElevation, aoaElevationVar, aodAzimuth, aodAzimuthVar,
                                   aodElevation, aodElevationVar, rangeRate, rangeRateVar, snrDb
                            FROM observation WHERE frameIndex = ? ORDER BY seq
                            """), arguments: [frame])
                while readMeasurements, let r = try observations.next() {
                    measurements.append(
                        TwinSensing.Measurement(
                            linkId: r[0], range: r[1], rangeVariance: r[2], aoaAzimuth: r[3], aoaAzimuthVariance: r[4], aoaElevation: r[5],
                            aoaElevationVariance: r[6], aodAzimuth: r[7], aodAzimuthVariance: r[8], aodElevation: r[9],
                            aodElevationVariance: r[10], rangeRate: r[11], rangeRateVariance: r[12], snrDb: r[13]))
                }
                let truths =
                    try readMeasurements
                    ? Row.fetchCursor(
                        db.cachedStatement(
                            sql:
                                "SELECT pathType, moverId, reflector, transmitter, trueRange FROM observation_truth WHERE frameIndex = ? ORDER BY seq"
                        ),
                        arguments: [frame]) : nil
                while let row = try truths?.next() {
                    let tx: String = row[3]
                    let node: SensingNode = tx.hasPrefix("ue") ? .ue(Int(tx.dropFirst(2)) ?? -1) : .baseStation(Int(tx.dropFirst(2)) ?? -1)
                    labels.append(
                        MeasurementTruth(
                            pathType: PathType(rawValue: row[0]) ?? .clutter, moverId: row[1], reflector: row[2], transmitter: node,
                            trueRange: row[4]))
                }
            }
            let snapshot = WorldSnapshot(frameIndex: frame, time: time, movers: movers, ues: ues)
            let anchors = ues.enumerated().compactMap { id, r in r.map { UEAnchor(moverId: id, reportedPosition: $0.reportedPosition) } }
            return RecordedFrame(
                snapshot: snapshot,
                observations: FrameObservations(frameIndex: frame, time: time, measurements: measurements, ueAnchors: anchors),
                labels: ObservationTruth(labels: labels))
        }
    }

    /// Ids of the movers that gave at least one Type II (target) echo in the frame, ascending.
    public func heardMovers(frame: Int) throws -> [Int] {
        try queue.read { db in
            guard try db.tableExists("observation_truth") else { return [] }
            return try Int.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT DISTINCT moverId FROM observation_truth WHERE frameIndex = ? AND pathType = 'target' AND moverId IS NOT NULL ORDER BY moverId"
                ),
                arguments: [frame])
        }
    }

    /// The fusion centre's stored result of a frame (localisations without their echoes, and
    /// the rejected count); nil if the frame has none.
    public func localizationResult(frame: Int) throws -> LocalizationResult? {
        let rejected = try queue.read { db -> Int? in
            guard try db.tableExists("localization_frame") else { return nil }
            return try Int.fetchOne(
                db.cachedStatement(sql: "SELECT rejected FROM localization_frame WHERE frameIndex = ?"), arguments: [frame])
        }
        guard let rejected else { return nil }
        return LocalizationResult(localizations: try localizations(frame: frame), rejected: rejected)
    }

    /// One stored track of the twin at a frame.
    public struct TrackRow: Sendable, Equatable, Codable {
        public var id: Int
        public var status: TrackStatus
        public var position: Vec3
        public var velocity: Vec3
        public var positionCovariance: SymmetricMatrix3
        public var age: Int
        public var hits: Int
        public var misses: Int
        public var birthTime: Double
        public var lastUpdate: Double
        public var modelProbabilities: [Double]
    }

    /// The twin as stored for a frame: its time and tracks (by id); nil if the frame has no
    /// twin (not recorded, or the run did not get that far).
    public func twin(frame: Int) throws -> (time: Double, tracks: [TrackRow], rejected: Int)? {
        try queue.read { db in
            guard try db.tableExists("twin_frame"),
                let header = try Row.fetchOne(db, sql: "SELECT * FROM twin_frame WHERE frameIndex = ?", arguments: [frame])
            else { return nil }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM track WHERE frameIndex = ? ORDER BY trackId", arguments: [frame]).map {
                row -> TrackRow in
                let probabilities: String = row["modelProbabilities"]
                return TrackRow(
                    id: row["trackId"], status: TrackStatus(rawValue: row["status"]) ?? .tentative,
                    position: Vec3(row["x"] as Double, row["y"] as Double, row["z"] as Double),
                    velocity: Vec3(row["vx"] as Double, row["vy"] as Double, row["vz"] as Double),
                    positionCovariance: SymmetricMatrix3(
                        xx: row["cxx"], xy: row["cxy"], xz: row["cxz"], yy: row["cyy"], yz: row["cyz"], zz: row["czz"]),
                    age: row["age"], hits: row["hits"], misses: row["misses"], birthTime: row["birthTime"], lastUpdate: row["lastUpdate"],
                    modelProbabilities: probabilities.split(separator: " ").compactMap { Double($0) })
            }
            return (header["time"], rows, header["rejected"])
        }
    }

    /// One mover as recorded: id, name and class.
    public struct MoverRow: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var moverClass: String
    }

    /// The movers, by id.
    public func movers() throws -> [MoverRow] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, class FROM mover ORDER BY id").map {
                MoverRow(id: $0["id"], name: $0["name"], moverClass: $0["class"])
            }
        }
    }

    /// A position with the id of what it belongs to (a mover or a track).
    public struct IdentifiedPosition: Sendable, Equatable {
        public var id: Int
        public var position: Vec3
    }

    /// A track's identity, status and position in one frame.
    public struct TrackPosition: Sendable, Equatable {
        public var id: Int
        public var status: TrackStatus
        public var position: Vec3
    }

    /// Everything about one frame that scoring needs (metrics, reports).
    public struct ScoringFrame: Sendable, Equatable {
        public var frameIndex: Int
        public var time: Double
        /// Every mover's true position, by mover id.
        public var truth: [IdentifiedPosition]
        /// Ids of the movers that gave at least one Type II echo (`observation_truth.pathType
        /// = 'target'`), ascending; nil when the recording holds no observations.
        public var heard: [Int]?
        /// The localisations' positions in stored order.
        public var localizations: [Vec3]
        /// The twin's tracks (all statuses), by track id.
        public var tracks: [TrackPosition]
    }

    /// For every stored localisation, the infrastructure behind it: the sorted, distinct
    /// "tier/operator" of the base stations at the ends of its links ("ue" for a UE end),
    /// joined by " + " (e.g. "micro/default", "macro/op-a + micro/op-a + ue"). By frame index,
    /// then in stored order.
    public func localizationInfrastructure() throws -> [Int: [String]] {
        try queue.read { db in
            guard try db.tableExists("localization"), try db.tableExists("sensing_link") else { return [:] }
            var station: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, tier, operator FROM base_station") {
                station[row[0]] = "\(row[1] as String)/\(row[2] as String)"
            }
            var ends: [Int: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, transmitter, receiver, kind FROM sensing_link") {
                // A RIS link (BS → panel → target → panel → BS) adds "ris" to its BS's label.
                ends[row[0]] =
                    [row[1] as String, row[2] as String].map { station[$0] ?? "ue" } + (row[3] as String == "ris" ? ["ris"] : [])
            }
            var out: [Int: [String]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT frameIndex, links FROM localization ORDER BY frameIndex, idx")
            while let row = try rows.next() {
                let links: String = row[1]
                let groups = Set(links.split(separator: " ").compactMap { Int($0) }.flatMap { ends[$0] ?? [] })
                out[row[0], default: []].append(groups.sorted().joined(separator: " + "))
            }
            return out
        }
    }

    /// Every frame, read with one query per table in frame order (not one per frame).
    /// `heard` is nil in every frame when `observation_truth` is missing or empty (a run with
    /// `--no-observations`).
    public func scoringFrames() throws -> [ScoringFrame] {
        try queue.read { db in
            var frames = try Row.fetchAll(db, sql: "SELECT frameIndex, time FROM frame ORDER BY frameIndex").map {
                ScoringFrame(frameIndex: $0["frameIndex"], time: $0["time"], truth: [], heard: nil, localizations: [], tracks: [])
            }
            var slot: [Int: Int] = [:]
            for (k, f) in frames.enumerated() { slot[f.frameIndex] = k }
            let truth = try Row.fetchCursor(db, sql: "SELECT frameIndex, moverId, x, y, z FROM truth ORDER BY frameIndex, moverId")
            while let row = try truth.next() {
                guard let k = slot[row["frameIndex"]] else { continue }
                frames[k].truth.append(
                    IdentifiedPosition(id: row["moverId"], position: Vec3(row["x"] as Double, row["y"] as Double, row["z"] as Double)))
            }
            if try db.tableExists("observation_truth"),
                try Int.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM observation_truth)") == 1
            {
                for k in frames.indices { frames[k].heard = [] }
                let heard = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT DISTINCT frameIndex, moverId FROM observation_truth
                        WHERE pathType = 'target' AND moverId IS NOT NULL ORDER BY frameIndex, moverId
                        """)
                while let row = try heard.next() {
                    guard let k = slot[row["frameIndex"]] else { continue }
                    frames[k].heard?.append(row["moverId"])
                }
            }
            if try db.tableExists("localization") {
                let rows = try Row.fetchCursor(db, sql: "SELECT frameIndex, x, y, z FROM localization ORDER BY frameIndex, idx")
                while let row = try rows.next() {
                    guard let k = slot[row["frameIndex"]] else { continue }
                    frames[k].localizations.append(Vec3(row["x"] as Double, row["y"] as Double, row["z"] as Double))
                }
            }
            if try db.tableExists("track") {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT frameIndex, trackId, status, x, y, z FROM track ORDER BY frameIndex, trackId")
                while let row = try rows.next() {
                    guard let k = slot[row["frameIndex"]] else { continue }
                    frames[k].tracks.append(
                        TrackPosition(
                            id: row["trackId"], status: TrackStatus(rawValue: row["status"]) ?? .tentative,
                            position: Vec3(row["x"] as Double, row["y"] as Double, row["z"] as Double)))
                }
            }
            return frames
        }
    }

    /// The last frame with a twin at or before `time` (nil: the latest frame with one).
    public func twinFrame(atOrBefore time: Double?) throws -> Int? {
        try queue.read { db in
            guard try db.tableExists("twin_frame") else { return nil }
            if let time {
                return try Int.fetchOne(
                    db, sql: "SELECT frameIndex FROM twin_frame WHERE time <= ? ORDER BY frameIndex DESC LIMIT 1",
                    arguments: [time + 1e-9])
            }
            return try Int.fetchOne(db, sql: "SELECT MAX(frameIndex) FROM twin_frame")
        }
    }

    /// The resume point: the frame it follows and the run's state (opaque JSON written by
    /// TwinEngine); nil if no batch was committed with one.
    public func resumePoint() throws -> (frame: Int, state: Data)? {
        try queue.read { db in
            guard try db.tableExists("resume_point"),
                let row = try Row.fetchOne(db, sql: "SELECT frameIndex, state FROM resume_point WHERE id = 1")
            else { return nil }
            return (row["frameIndex"], row["state"])
        }
    }

    /// A 64-bit FNV-1a digest of a table's rows in primary-key order, over the exact bits of
    /// every value: two recordings with equal digests hold the same data.
    public func digest(table: String) throws -> UInt64 {
        guard
            [
                "truth", "ue_report", "ue_truth", "frame", "mover", "observation", "observation_truth", "localization",
                "localization_frame",
                "track", "track_event", "twin_frame", "handover_event", "sensing_link", "base_station", "ris",
            ]
            .contains(table)
        else {
            throw RecordingError.notARecording(path: path, reason: "no digest for table \(table)")
        }
        let order =
            switch table {
            case "frame": "frameIndex"
            case "mover", "sensing_link", "base_station", "ris": "id"
            case "observation", "observation_truth": "frameIndex, seq"
            case "localization": "frameIndex, idx"
            case "localization_frame", "twin_frame": "frameIndex"
            case "track": "frameIndex, trackId"
            case "track_event": "frameIndex, trackId, kind"
            case "handover_event": "frameIndex, operatorName, trackId"
            default: "frameIndex, moverId"
            }
        return try queue.read { db in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            func mix(_ bits: UInt64) {
                var b = bits
                for _ in 0..<8 {
                    hash ^= b & 0xFF
                    hash &*= 0x0000_0100_0000_01B3
                    b >>= 8
                }
            }
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY \(order)")
            while let row = try cursor.next() {
                for value in row.databaseValues {
                    switch value.storage {
                    case .null: mix(0xDEAD)
                    case .int64(let i): mix(UInt64(bitPattern: i))
                    case .double(let d): mix(d.bitPattern)
                    case .string(let s): for byte in s.utf8 { mix(UInt64(byte)) }
                    case .blob(let data): for byte in data { mix(UInt64(byte)) }
                    }
                }
            }
            return hash
        }
    }
}
