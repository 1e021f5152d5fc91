/** Reading a ledger file from tests, while a daemon may still be writing it (WAL allows a reader). */
import Database from 'better-sqlite3';

export function readRows(db: string, sql: string): unknown[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all();
  } finally {
    d.close();
  }
}

/** The `n` of a COUNT(*) AS n query; 0 while the file or its tables do not exist yet. */
export function countIn(db: string, sql: string): number {
  let d: Database.Database | undefined;
  try {
    d = new Database(db, { readonly: true, fileMustExist: true });
    return (d.prepare(sql).get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    d?.close();
  }
}

/**
 * The latest paper run's progress, read straight from the file: what `arena ledger summary` reports as bars,
 * status and resumes, without starting a CLI process per look (kill loops look after every kill).
 */
export function paperProgress(db: string): { bars: number; status: string; resumes: number } {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const run = d.prepare('SELECT run_id, status, resumes FROM paper_runs ORDER BY run_id DESC LIMIT 1').get() as { run_id: number; status: string; resumes: number } | undefined;
    if (run === undefined) return { bars: 0, status: 'none', resumes: 0 };
    const bars = (d.prepare('SELECT COUNT(DISTINCT t) AS n FROM bars WHERE run_id = ?').get(run.run_id) as { n: number }).n;
    return { bars, status: run.status, resumes: run.resumes };
  } finally {
    d.close();
  }
}
