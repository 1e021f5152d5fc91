/** Writes a report's text files into a folder (created); fs failures become ARENA_E_REPORT_WRITE naming the path. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERR } from './codes.ts';
import { arenaError } from './errors.ts';

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Writes each `name -> text` into outDir and returns `name -> path`, in the order given. */
export function writeReportFiles<K extends string>(outDir: string, files: Readonly<Record<K, string>>): Record<K, string> {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw arenaError(ERR.REPORT_WRITE, outDir, why(e));
  }
  const paths = {} as Record<K, string>;
  for (const name of Object.keys(files) as K[]) {
    const path = join(outDir, name);
    try {
      writeFileSync(path, files[name], 'utf8');
    } catch (e) {
      throw arenaError(ERR.REPORT_WRITE, path, why(e));
    }
    paths[name] = path;
  }
  return paths;
}
