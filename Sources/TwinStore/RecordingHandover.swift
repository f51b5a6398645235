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

extension RecordingWriter {
    static func insertHandovers(_ events: [HandoverEvent], _ db: Database) throws {
        guard !events.isEmpty else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO handover_event VALUES (?, ?, ?, ?, ?, ?)")
        for e in events {
            try insert.execute(arguments: [e.frameIndex, e.time, e.trackId, e.from, e.to, e.reason])
        }
    }
}

extension Recording {
    /// Every handover event, by frame and track (empty for a recording without handover or
    /// made before v5).
    public func handoverEvents() throws -> [HandoverEvent] {
        try queue.read { db in
            guard try db.tableExists("handover_event") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM handover_event ORDER BY frameIndex, trackId").map { row in
                HandoverEvent(
                    frameIndex: row["frameIndex"], time: row["time"], trackId: row["trackId"], from: row["fromCluster"],
                    to: row["toCluster"], reason: row["reason"])
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
