import GRDB
import TwinSensing

extension RecordingSchema {
    /// v5: sensing handovers. One row per change of a track's serving cluster (README
    /// "Sensing clusters and handover"): frame and time, the twin's track id, the cluster
    /// names before (NULL for the first assignment) and after, and why.
    static func handover(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE handover_event (
                    frameIndex INTEGER NOT NULL,
                    time REAL NOT NULL,
                    trackId INTEGER NOT NULL,
                    fromCluster TEXT,
                    toCluster TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (frameIndex, trackId)
                ) WITHOUT ROWID;
                """)
    }
}

extension RecordingSchema {
    /// v6: the operator of a handover (edge cooperation policies run one handover manager per
    /// operator; NULL with one manager). Two operators may hand over tracks fused into one twin
    /// track in the same frame, so the key becomes (frameIndex, operatorName, trackId): the
    /// table is rebuilt as a rowid table with a unique index on it (NULL taken as '').
    static func handoverOperator(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE handover_event_v6 (
                    frameIndex INTEGER NOT NULL,
                    time REAL NOT NULL,
                    trackId INTEGER NOT NULL,
                    fromCluster TEXT,
                    toCluster TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    operatorName TEXT
                );
                INSERT INTO handover_event_v6 (frameIndex, time, trackId, fromCluster, toCluster, reason)
                    SELECT frameIndex, time, trackId, fromCluster, toCluster, reason FROM handover_event;
                DROP TABLE handover_event;
                ALTER TABLE handover_event_v6 RENAME TO handover_event;
                CREATE UNIQUE INDEX handover_event_key ON handover_event (frameIndex, ifnull(operatorName, ''), trackId);
                """)
    }
}

extension RecordingWriter {
    static func insertHandovers(_ events: [HandoverEvent], _ db: Database) throws {
        guard !events.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql:
                "INSERT INTO handover_event (frameIndex, time, trackId, fromCluster, toCluster, reason, operatorName) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        for e in events {
            try insert.execute(arguments: [e.frameIndex, e.time, e.trackId, e.from, e.to, e.reason, e.operatorName])
        }
    }
}

extension Recording {
    /// Every handover event, by frame, operator (none first) and track (empty for a recording
    /// without handover or made before v5).
    public func handoverEvents() throws -> [HandoverEvent] {
        try queue.read { db in
            guard try db.tableExists("handover_event") else { return [] }
            let hasOperator = try db.columns(in: "handover_event").contains { $0.name == "operatorName" }
            let order = hasOperator ? "frameIndex, operatorName, trackId" : "frameIndex, trackId"
            return try Row.fetchAll(db, sql: "SELECT * FROM handover_event ORDER BY \(order)").map { row in
                HandoverEvent(
                    frameIndex: row["frameIndex"], time: row["time"], trackId: row["trackId"], from: row["fromCluster"],
                    to: row["toCluster"], reason: row["reason"], operatorName: hasOperator ? row["operatorName"] : nil)
            }
        }
    }

    /// Per frame and track: whether the track was updated by a detection in that frame
    /// (`lastUpdate` equals the frame time), with the track's status. Ordered by frame, track.
    public func trackUpdates() throws -> [(frameIndex: Int, time: Double, trackId: Int, status: String, detected: Bool)] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.frameIndex, f.time, t.trackId, t.status, t.lastUpdate
                    FROM track t JOIN frame f ON f.frameIndex = t.frameIndex ORDER BY t.frameIndex, t.trackId
                    """
            ).map { row in
                let time: Double = row["time"]
                let last: Double = row["lastUpdate"]
                return (row["frameIndex"], time, row["trackId"], row["status"], last == time)
            }
        }
    }
}
