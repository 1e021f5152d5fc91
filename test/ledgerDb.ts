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
