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
  // 2: the paper daemon's books, the bars it saw and the source offsets, one transaction per step
  `
  CREATE TABLE paper_runs (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    resumes INTEGER NOT NULL DEFAULT 0
  );
  -- every bar the daemon stepped (a restart rebuilds its state from these)
  CREATE TABLE bars (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    asset INTEGER NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL,
    PRIMARY KEY (run_id, t, asset)
  ) WITHOUT ROWID;
  CREATE TABLE orders (
    run_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    asset INTEGER NOT NULL,
    qty REAL NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE fills (
    run_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    asset INTEGER NOT NULL,
    qty REAL NOT NULL,
    requested_qty REAL NOT NULL,
    price REAL NOT NULL,
    fee REAL NOT NULL,
    slippage_bps REAL NOT NULL,
    PRIMARY KEY (run_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE equity (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    equity REAL NOT NULL,
    cash REAL NOT NULL,
    gross REAL NOT NULL,
    net REAL NOT NULL,
    drawdown REAL NOT NULL,
    PRIMARY KEY (run_id, t)
  ) WITHOUT ROWID;
  CREATE TABLE positions (
    run_id INTEGER NOT NULL,
    asset INTEGER NOT NULL,
    units REAL NOT NULL,
    PRIMARY KEY (run_id, asset)
  ) WITHOUT ROWID;
  -- the decision behind each bar's orders: experts, weights, combined exposure (JSON)
  CREATE TABLE decisions (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, t)
  ) WITHOUT ROWID;
  CREATE TABLE offsets (
    run_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    part INTEGER NOT NULL,
    position TEXT NOT NULL,
    PRIMARY KEY (run_id, source, part)
  ) WITHOUT ROWID;
  -- kill switches, rejected input, restarts: what happened and why
  CREATE TABLE events (
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    ts INTEGER,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  `,
  // 3: the feature selections the paper daemon's learned expert used
  `
  CREATE TABLE feature_selections (
    run_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    features TEXT NOT NULL,
    weights TEXT NOT NULL,
    PRIMARY KEY (run_id, ts)
  ) WITHOUT ROWID;
  `,
  // 4: funding with the bars (a rebuild gives the features what the run saw), operator controls with the bar they
  // applied at (a rebuild replays them), and the bar each feature selection took over at
  `
  ALTER TABLE bars ADD COLUMN funding REAL;
  ALTER TABLE feature_selections ADD COLUMN from_t INTEGER;
  CREATE TABLE controls (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (run_id, t, seq)
  ) WITHOUT ROWID;
  `,
  // 5: arena optimize's studies and their trials (a study run again continues from them)
  `
  CREATE TABLE optimize_studies (
    study TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created TEXT NOT NULL
  );
  CREATE TABLE optimize_trials (
    study TEXT NOT NULL,
    fold INTEGER NOT NULL,
    trial INTEGER NOT NULL,
    params TEXT NOT NULL,
    u TEXT NOT NULL,
    value REAL,
    result TEXT NOT NULL,
    PRIMARY KEY (study, fold, trial)
  ) WITHOUT ROWID;
  `,
  // 6: protective exits and perpetuals (docs/orders.md): why each fill happened and whether it ended a position,
  // funding settled per bar and position, the margin used, each position's entry and exit levels, and the funding
  // due with the bars (a rebuild settles what the run settled)
  `
  ALTER TABLE bars ADD COLUMN funding_due REAL;
  ALTER TABLE fills ADD COLUMN reason TEXT NOT NULL DEFAULT 'signal';
  ALTER TABLE fills ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE equity ADD COLUMN margin REAL NOT NULL DEFAULT 0;
  ALTER TABLE positions ADD COLUMN entry_price REAL;
  ALTER TABLE positions ADD COLUMN stop REAL;
  ALTER TABLE positions ADD COLUMN target REAL;
  ALTER TABLE positions ADD COLUMN trailing REAL;
  ALTER TABLE positions ADD COLUMN liquidation REAL;
  CREATE TABLE funding (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    asset INTEGER NOT NULL,
    rate REAL NOT NULL,
    price REAL NOT NULL,
    units REAL NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (run_id, t, asset)
  ) WITHOUT ROWID;
  `,
  // 7: the contest's track record (contest.trackRecord, docs/contest.md): each window's t-statistic of the score
  // model's past choices (NULL: no record) and whether its new choice was withheld for it
  `
  ALTER TABLE contest_windows ADD COLUMN record_t REAL;
  ALTER TABLE contest_windows ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
  `,
  // 8: decisions as a rowid table with the same unique key: its records (~0.7 KB, more with many experts) are
  // large for WITHOUT ROWID, whose B-tree keeps whole rows in its pages (inserts took twice as long)
  `
  CREATE TABLE decisions_rowid (
    run_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    record TEXT NOT NULL,
    UNIQUE (run_id, t)
  );
  INSERT INTO decisions_rowid (run_id, t, ts, record) SELECT run_id, t, ts, record FROM decisions ORDER BY run_id, t;
  DROP TABLE decisions;
  ALTER TABLE decisions_rowid RENAME TO decisions;
  `,
  // 9: per Kafka partition, the highest offset seen when the last step's bar was handed over: a restart starts at
  // `position` and tells the messages it handled before (stepped or rejected) from late bars that came since
  `
  ALTER TABLE offsets ADD COLUMN seen TEXT;
  `,
  // 10: each run's uid, 32 random hex digits: what the daemon's Kafka outputs carry (run ids restart at 1 in every
  // ledger, so they cannot tell two daemons' messages apart on a shared cluster); runs from before get one here
  `
  ALTER TABLE runs ADD COLUMN uid TEXT;
  UPDATE runs SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
  CREATE UNIQUE INDEX runs_uid ON runs (uid);
  `,
  // 11: operator controls as requests, committed before the dashboard confirms them; applied_t is the bar the step
  // that applied one stepped (with its row in controls), NULL until then: a restart applies those at its first step
  `
  CREATE TABLE control_requests (
    run_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    applied_t INTEGER,
    PRIMARY KEY (run_id, id)
  ) WITHOUT ROWID;
  `,
  // 12: when each step's bar reached the daemon (ms, wall clock; NULL for steps from before): the lag of a live or
  // Kafka bar behind its close is ts_recv - (ts + the bar's length)
  `
  ALTER TABLE equity ADD COLUMN ts_recv INTEGER;
  `,
];
