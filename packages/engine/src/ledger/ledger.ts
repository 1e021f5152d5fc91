/**
 * The SQLite ledger (better-sqlite3, WAL): one file holds every run's record. Migrations are numbered and applied
 * in order inside a transaction; PRAGMA user_version remembers the last one, so an old file is upgraded on open
 * and a file from a newer Arena is refused with a clear error rather than misread.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type CheckpointOptions, Checkpointer } from './checkpointer.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export interface RunInfo {
  readonly id: number;
  /** 32 random hex digits, unique across ledgers (ids restart at 1 in each): what the daemon's Kafka outputs carry */
  readonly uid: string;
  readonly kind: string;
  readonly startedAt: string;
  readonly source: string;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly periodsPerYear: number;
  readonly config: unknown;
}

export class Ledger {
  readonly db: Db;
  private checkpointer: Checkpointer | undefined;

  private constructor(
    readonly path: string,
    db: Db,
  ) {
    this.db = db;
  }

  /** Opens (creating and migrating) the ledger at path; readOnly opens an existing file without writing. */
  static open(path: string, opts: { readOnly?: boolean } = {}): Ledger {
    const file = resolve(path);
    if (!opts.readOnly) mkdirSync(dirname(file), { recursive: true });
    let db: Db;
    try {
      db = new Database(file, { readonly: opts.readOnly === true, fileMustExist: opts.readOnly === true });
    } catch (e) {
      throw new Error(`cannot open the ledger ${file}: ${(e as Error).message}`);
    }
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (e) {
      // SQLite opens any file lazily: a file that is not a database fails at its first read
      db.close();
      throw new Error(`cannot open the ledger ${file}: ${(e as Error).message}`);
    }
    if (version > MIGRATIONS.length) {
      db.close();
      throw new Error(`the ledger ${file} is at schema version ${version}, newer than this Arena's ${MIGRATIONS.length}: upgrade Arena`);
    }
    if (!opts.readOnly && version === 0) {
      // a SQLite file of something else: Arena does not add its tables to it
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 5").all() as { name: string }[]).map((r) => r.name);
      if (tables.length > 0) {
        db.close();
        throw new Error(`${file} is not an Arena ledger (it holds tables ${tables.join(', ')}): pass a new file, or an existing ledger`);
      }
    }
    if (!opts.readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // a WAL that grew during a burst is cut back to 64 MB when it restarts
      db.pragma('journal_size_limit = 67108864');
      db.pragma('foreign_keys = ON');
      for (let v = version; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db.exec(MIGRATIONS[v]!);
          db.pragma(`user_version = ${v + 1}`);
        })();
      }
    } else if (version < MIGRATIONS.length) {
      db.close();
      throw new Error(`the ledger ${file} is at schema version ${version}; open it once read-write to migrate it to ${MIGRATIONS.length}`);
    }
    return new Ledger(file, db);
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Registers a run (with a new uid) and returns its id. */
  startRun(r: Omit<RunInfo, 'id' | 'uid' | 'startedAt'>): number {
    const info = this.db
      .prepare('INSERT INTO runs (kind, started_at, source, symbols, timeframe, periods_per_year, config, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.kind, new Date().toISOString(), r.source, JSON.stringify(r.symbols), r.timeframe, r.periodsPerYear, JSON.stringify(r.config ?? null), randomBytes(16).toString('hex'));
    return Number(info.lastInsertRowid);
  }

  /** The uid of run `id` (migration 10 gave every run one). */
  runUid(id: number): string {
    const row = this.db.prepare('SELECT uid FROM runs WHERE id = ?').get(id) as { uid: string } | undefined;
    if (row === undefined) throw new Error(`the ledger ${this.path} holds no run ${id}`);
    return row.uid;
  }

  runs(): RunInfo[] {
    const rows = this.db.prepare('SELECT id, uid, kind, started_at, source, symbols, timeframe, periods_per_year, config FROM runs ORDER BY id').all() as {
      id: number;
      uid: string;
      kind: string;
      started_at: string;
      source: string;
      symbols: string;
      timeframe: string;
      periods_per_year: number;
      config: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      uid: r.uid,
      kind: r.kind,
      startedAt: r.started_at,
      source: r.source,
      symbols: JSON.parse(r.symbols) as string[],
      timeframe: r.timeframe,
      periodsPerYear: r.periods_per_year,
      config: JSON.parse(r.config) as unknown,
    }));
  }

  /**
   * WAL checkpoints from a worker thread instead of inside the commit that fills the WAL (a long-running writer:
   * the paper daemon; see checkpointer.ts). The writer calls afterCommit() after its commits; close() stops it.
   */
  checkpointInBackground(o: CheckpointOptions = {}): Checkpointer {
    this.checkpointer ??= new Checkpointer(this.db, this.path, o);
    return this.checkpointer;
  }

  /** After a commit: the background checkpointer's WAL restart, when one is due. */
  afterCommit(): void {
    this.checkpointer?.afterCommit();
  }

  close(): void {
    this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }
}
