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
        CREATE INDEX trials_dataset ON trials(dataset, hp, seed);
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
          trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
          split TEXT NOT NULL,
          metric TEXT NOT NULL,
          per_epoch BLOB NOT NULL,
          PRIMARY KEY (trial_id, split, metric)
        ) WITHOUT ROWID;
        CREATE TABLE costs (
          arch_idx INTEGER NOT NULL REFERENCES architectures(idx),
          dataset TEXT NOT NULL,
          origin TEXT NOT NULL,
          params REAL NOT NULL,
          flops REAL NOT NULL,
          latency REAL,
          PRIMARY KEY (arch_idx, dataset, origin)
        ) WITHOUT ROWID;
        CREATE TABLE import_notes (
          source_id INTEGER NOT NULL REFERENCES sources(id),
          arch_idx INTEGER,
          note TEXT NOT NULL
        );
        """,
    ]

    static var currentVersion: Int { migrations.count }
}
