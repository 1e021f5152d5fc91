/** The ledger's schema, one migration per version (never edit a released one; append). */
export const MIGRATIONS: readonly string[] = [
  // 1: runs and the contest's record
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    source TEXT NOT NULL,
    symbols TEXT NOT NULL,
    timeframe TEXT NOT NULL,
    periods_per_year REAL NOT NULL,
    config TEXT NOT NULL
  );
  CREATE TABLE contest_agents (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    agent INTEGER NOT NULL,
    name TEXT NOT NULL,
    horizon INTEGER NOT NULL,
    temperature REAL,
    appetite REAL NOT NULL,
    experts TEXT NOT NULL,
    PRIMARY KEY (run_id, agent)
  ) WITHOUT ROWID;
  -- every proposal: one row per bar and agent, the exposures per asset as float32 (runs.symbols order)
  CREATE TABLE contest_proposals (
    run_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    agent INTEGER NOT NULL,
    exposures BLOB NOT NULL,
    PRIMARY KEY (run_id, ts, agent)
  ) WITHOUT ROWID;
  -- the realised reward after costs of the proposal made at ts, over horizon bars, known at realized_ts
  CREATE TABLE contest_outcomes (
    run_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    horizon INTEGER NOT NULL,
    agent INTEGER NOT NULL,
    realized_ts INTEGER NOT NULL,
    reward REAL,
    PRIMARY KEY (run_id, ts, horizon, agent)
  ) WITHOUT ROWID;
  CREATE TABLE contest_windows (
    run_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    window_index INTEGER NOT NULL,
    ready INTEGER NOT NULL,
    pairs INTEGER NOT NULL,
    cash INTEGER NOT NULL,
    PRIMARY KEY (run_id, ts)
  ) WITHOUT ROWID;
  -- the leaderboard: per window and agent, realised and predicted per-bar Sharpe, adoption and weight
  CREATE TABLE contest_scores (
    run_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    agent INTEGER NOT NULL,
    realized REAL NOT NULL,
    predicted REAL,
    adopted INTEGER NOT NULL,
    weight REAL NOT NULL,
    PRIMARY KEY (run_id, ts, agent)
  ) WITHOUT ROWID;
  `,
];
