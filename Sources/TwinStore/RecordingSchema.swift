import GRDB

/// The recording's schema, evolved by migrations: a recording made by an older isac-twin is
/// upgraded in place when opened for writing, and one made by a newer version is refused
/// instead of misread. The tables are documented in README.md ("Recording schema") for sqlite3
/// and pandas users; keep both in step.
enum RecordingSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // One row: what this session is. `status` is 'running' until the run ends normally.
            try db.execute(
                sql: """
                    CREATE TABLE session (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        softwareVersion TEXT NOT NULL,
                        commandLine TEXT NOT NULL,
                        worldFile TEXT NOT NULL,
                        worldText TEXT NOT NULL,
                        seed INTEGER NOT NULL,
                        dt REAL NOT NULL,
                        plannedFrames INTEGER NOT NULL,
                        framesWritten INTEGER NOT NULL DEFAULT 0,
                        status TEXT NOT NULL CHECK (status IN ('running', 'completed'))
                    );
                    CREATE TABLE mover (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        class TEXT NOT NULL,
                        carriesUE INTEGER NOT NULL,
                        uavSize TEXT
                    );
                    CREATE TABLE base_station (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        tier TEXT NOT NULL,
                        operator TEXT NOT NULL,
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        carrierHz REAL NOT NULL,
                        bandwidthHz REAL NOT NULL,
                        subcarrierSpacingHz REAL NOT NULL,
                        txPowerDbm REAL NOT NULL,
                        arrayHorizontal INTEGER NOT NULL,
                        arrayVertical INTEGER NOT NULL,
                        noiseFigureDb REAL NOT NULL,
                        clockOffsetS REAL NOT NULL
                    );
                    CREATE TABLE ris (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        azimuthRad REAL NOT NULL,
                        elevationRad REAL NOT NULL,
                        elementsHorizontal INTEGER NOT NULL,
                        elementsVertical INTEGER NOT NULL
                    );
                    CREATE TABLE frame (
                        frameIndex INTEGER PRIMARY KEY,
                        time REAL NOT NULL
                    );
                    CREATE TABLE truth (
                        frameIndex INTEGER NOT NULL,
                        moverId INTEGER NOT NULL,
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        vx REAL NOT NULL, vy REAL NOT NULL, vz REAL NOT NULL,
                        PRIMARY KEY (frameIndex, moverId)
                    ) WITHOUT ROWID;
                    CREATE TABLE ue_report (
                        frameIndex INTEGER NOT NULL,
                        moverId INTEGER NOT NULL,
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        PRIMARY KEY (frameIndex, moverId)
                    ) WITHOUT ROWID;
                    -- What a UE does not know about itself: kept apart so localisation cannot read it.
                    CREATE TABLE ue_truth (
                        frameIndex INTEGER NOT NULL,
                        moverId INTEGER NOT NULL,
                        clockOffsetS REAL NOT NULL,
                        clockDriftSPerS REAL NOT NULL,
                        isOutlier INTEGER NOT NULL,
                        PRIMARY KEY (frameIndex, moverId)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-sensing") { db in
            // The sensing links of the run, and per frame what the receivers reported (values
            // and the variances their errors were drawn with) beside the truth of each report.
            try db.execute(
                sql: """
                    CREATE TABLE sensing_link (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL,
                        transmitter TEXT NOT NULL,
                        receiver TEXT NOT NULL
                    );
                    CREATE TABLE observation (
                        frameIndex INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        linkId INTEGER NOT NULL,
                        range REAL NOT NULL, rangeVar REAL NOT NULL,
                        aoaAzimuth REAL, aoaAzimuthVar REAL,
                        aoaElevation REAL, aoaElevationVar REAL,
                        aodAzimuth REAL, aodAzimuthVar REAL,
                        aodElevation REAL, aodElevationVar REAL,
                        rangeRate REAL NOT NULL, rangeRateVar REAL NOT NULL,
                        snrDb REAL NOT NULL,
                        PRIMARY KEY (frameIndex, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE observation_truth (
                        frameIndex INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        pathType TEXT NOT NULL,
                        moverId INTEGER,
                        reflector INTEGER,
                        transmitter TEXT NOT NULL,
                        trueRange REAL NOT NULL,
                        PRIMARY KEY (frameIndex, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3-localization") { db in
            // The fusion centre's output per frame: each localised target (position, the six
            // covariance entries, the fit's residual and degrees of freedom, its flags and the
            // ids of the sensing links that contributed, both space-separated) and per frame
            // the number of candidate groups rejected. The session names the localiser.
            try db.execute(
                sql: """
                    ALTER TABLE session ADD COLUMN localizer TEXT;
                    CREATE TABLE localization (
                        frameIndex INTEGER NOT NULL,
                        idx INTEGER NOT NULL,
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        cxx REAL NOT NULL, cxy REAL NOT NULL, cxz REAL NOT NULL,
                        cyy REAL NOT NULL, cyz REAL NOT NULL, czz REAL NOT NULL,
                        residual REAL NOT NULL,
                        dof INTEGER NOT NULL,
                        flags TEXT NOT NULL,
                        links TEXT NOT NULL,
                        PRIMARY KEY (frameIndex, idx)
                    ) WITHOUT ROWID;
                    CREATE TABLE localization_frame (
                        frameIndex INTEGER PRIMARY KEY,
                        rejected INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4-tracking") { db in
            // The twin per frame: every live track (tentative ones too) with its combined
            // position and velocity, position covariance, life counters and the IMM model
            // probabilities (space-separated; one value for a single model); track births,
            // confirmations and deletions as events; per frame the number of tracks and of
            // detections the tracker refused. `resume_point` holds one row: the exact state
            // (world, sensing, tracker, statistics; JSON) after the last committed frame, which
            // `isac-twin run --resume` continues from. The session names the tracker and keeps
            // the run's options (JSON) so a resumed run uses the same ones.
            try db.execute(
                sql: """
                    ALTER TABLE session ADD COLUMN tracker TEXT;
                    ALTER TABLE session ADD COLUMN runOptions TEXT;
                    CREATE TABLE track (
                        frameIndex INTEGER NOT NULL,
                        trackId INTEGER NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('tentative', 'confirmed', 'coasting')),
                        x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL,
                        vx REAL NOT NULL, vy REAL NOT NULL, vz REAL NOT NULL,
                        cxx REAL NOT NULL, cxy REAL NOT NULL, cxz REAL NOT NULL,
                        cyy REAL NOT NULL, cyz REAL NOT NULL, czz REAL NOT NULL,
                        age INTEGER NOT NULL,
                        hits INTEGER NOT NULL,
                        misses INTEGER NOT NULL,
                        birthTime REAL NOT NULL,
                        lastUpdate REAL NOT NULL,
                        modelProbabilities TEXT NOT NULL,
                        PRIMARY KEY (frameIndex, trackId)
                    ) WITHOUT ROWID;
                    CREATE TABLE track_event (
                        frameIndex INTEGER NOT NULL,
                        trackId INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('born', 'confirmed', 'deleted')),
                        PRIMARY KEY (frameIndex, trackId, kind)
                    ) WITHOUT ROWID;
                    CREATE TABLE twin_frame (
                        frameIndex INTEGER PRIMARY KEY,
                        time REAL NOT NULL,
                        tracks INTEGER NOT NULL,
                        confirmed INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        nextTrackId INTEGER NOT NULL
                    );
                    CREATE TABLE resume_point (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        frameIndex INTEGER NOT NULL,
                        state BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5-handover", migrate: RecordingSchema.handover)
        migrator.registerMigration("v6-handover-operator", migrate: RecordingSchema.handoverOperator)
        migrator.registerMigration("v7-ris-panel") { db in
            // The panel of a `ris` link (two panels on one BS have the same kind and ends); NULL
            // for every other link and in links recorded before v7.
            try db.execute(sql: "ALTER TABLE sensing_link ADD COLUMN panel TEXT")
        }
        return migrator
    }

    /// Tables with one or more rows per frame, keyed by `frameIndex` (what a resumed run
    /// trims back to its resume point).
    static let frameTables = [
        "frame", "truth", "ue_report", "ue_truth", "observation", "observation_truth", "localization", "localization_frame",
        "track", "track_event", "twin_frame", "handover_event",
    ]
}
