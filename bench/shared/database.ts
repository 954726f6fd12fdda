import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress } from './output.js';
import { importFromRepo } from './repo.js';

export interface BenchDatabase {
  uri: string;
  kind: 'embedded FerretDB v1.24 (SQLite)' | 'MongoDB (MONGODB_URI)';
  /** The embedded database's process (for its CPU time). */
  pid?: number;
  stop(): Promise<void>;
}

/** MONGODB_URI when set, else a private embedded database in a temporary folder (`<name>-bench-db-*`). */
export async function startDatabase(name = 'mesh'): Promise<BenchDatabase> {
  const given = process.env.MONGODB_URI;
  if (given) {
    progress(`using MongoDB at ${given.replace(/\/\/[^@]*@/, '//***@')}`);
    return { uri: given, kind: 'MongoDB (MONGODB_URI)', stop: async () => {} };
  }
  const devdb = await importFromRepo<typeof import('../../tools/devdb/devdb.mjs')>('tools/devdb/devdb.mjs');
  await devdb.ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-bench-db-`));
  const db = await devdb.startDevdb({ port: 0, dataDir, quiet: true });
  progress(`embedded database at ${db.uri} (data in ${dataDir}, pid ${db.pid})`);
  return {
    uri: db.uri,
    kind: 'embedded FerretDB v1.24 (SQLite)',
    pid: db.pid,
    stop: async () => {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
