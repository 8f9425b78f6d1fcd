/// The database schema, versioned with `PRAGMA user_version`. Migration i brings a database from version i to
/// i + 1; they only ever append. Documented table by table in data/SCHEMA.md.
enum Schema {
    static let migrations: [String] = [
        // 0 -> 1: the benchmark tables.
        """
        CREATE TABLE sources (
          id INTEGER PRIMARY KEY,
          path TEXT NOT NULL,
          kind TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          sha256 TEXT NOT NULL UNIQUE,
          imported_at TEXT NOT NULL,
          row_counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE architectures (
          idx INTEGER PRIMARY KEY CHECK (idx BETWEEN 0 AND 15624),
          arch_str TEXT NOT NULL UNIQUE,
          op_codes TEXT NOT NULL UNIQUE,
          iso_class TEXT NOT NULL
        );
        CREATE INDEX architectures_iso_class ON architectures(iso_class);
        CREATE TABLE trials (
          id INTEGER PRIMARY KEY,
          arch_idx INTEGER NOT NULL REFERENCES architectures(idx),
          dataset TEXT NOT NULL,
          hp INTEGER NOT NULL,
          seed TEXT NOT NULL,
          source_id INTEGER NOT NULL REFERENCES sources(id),
          params REAL,
          flops REAL,
          latency REAL,
          UNIQUE (arch_idx, dataset, hp, seed)
        );
        CREATE TABLE results (
          trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
          split TEXT NOT NULL,
          epoch INTEGER NOT NULL,
          accuracy REAL,
          loss REAL,
          time REAL,
          PRIMARY KEY (trial_id, split)
        ) WITHOUT ROWID;
        CREATE TABLE curves (
          id INTEGER PRIMARY KEY,
          trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
          split TEXT NOT NULL,
          metric TEXT NOT NULL,
          per_epoch BLOB NOT NULL,
          UNIQUE (trial_id, split, metric)
        );
        CREATE TABLE costs (
          arch_idx INTEGER NOT NULL REFERENCES architectures(idx),
          dataset TEXT NOT NULL,
          origin TEXT NOT NULL,
          params REAL NOT NULL,
          flops REAL NOT NULL,
          latency REAL,
          PRIMARY KEY (arch_idx, dataset, origin)
        ) WITHOUT ROWID;
        CREATE TABLE coverage (
          dataset TEXT NOT NULL,
          hp INTEGER NOT NULL,
          seed TEXT NOT NULL,
          split TEXT NOT NULL,
          architectures INTEGER NOT NULL,
          PRIMARY KEY (dataset, hp, seed, split)
        ) WITHOUT ROWID;
        CREATE TABLE import_notes (
          source_id INTEGER NOT NULL REFERENCES sources(id),
          arch_idx INTEGER,
          note TEXT NOT NULL
        );
        """,
        // 1 -> 2: experiments: runs with their protocol and per-epoch log, and the estimates they make.
        """
        CREATE TABLE runs (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          name TEXT NOT NULL UNIQUE,
          dataset TEXT NOT NULL,
          seed INTEGER NOT NULL,
          protocol TEXT NOT NULL,
          code_version TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
          started_at TEXT NOT NULL,
          finished_at TEXT,
          wall_seconds REAL NOT NULL DEFAULT 0,
          images_seen INTEGER NOT NULL DEFAULT 0,
          summary TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE run_epochs (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch INTEGER NOT NULL,
          train_loss REAL,
          train_accuracy REAL,
          learning_rate REAL,
          seconds REAL,
          images INTEGER,
          metrics TEXT NOT NULL DEFAULT '{}',
          PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;
        CREATE TABLE estimates (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          arch_idx INTEGER NOT NULL REFERENCES architectures(idx),
          estimator TEXT NOT NULL,
          score REAL NOT NULL,
          accuracy REAL,
          loss REAL,
          details TEXT NOT NULL DEFAULT '{}',
          seconds REAL,
          PRIMARY KEY (run_id, estimator, arch_idx)
        ) WITHOUT ROWID;
        CREATE TABLE rankings (
          id INTEGER PRIMARY KEY,
          created_at TEXT NOT NULL,
          estimator TEXT NOT NULL,
          source TEXT NOT NULL,
          architectures INTEGER NOT NULL,
          protocol TEXT NOT NULL,
          metrics TEXT NOT NULL
        );
        """,
        // 2 -> 3: what each merged database (a Slurm job's, `nb201 merge`) added to a run's totals, so that merging the
        // same file again replaces its part instead of adding it twice.
        """
        CREATE TABLE run_parts (
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          part TEXT NOT NULL,
          wall_seconds REAL NOT NULL,
          images_seen INTEGER NOT NULL,
          PRIMARY KEY (run_id, part)
        ) WITHOUT ROWID;
        """,
        // 3 -> 4: curves imported from now on are zlib-compressed float32 (CurveEncoding); older rows stay plain float32.
        "ALTER TABLE curves ADD COLUMN encoding TEXT NOT NULL DEFAULT 'float32';",
    ]

    static var currentVersion: Int { migrations.count }
}
