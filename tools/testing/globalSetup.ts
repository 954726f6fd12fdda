import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test database server: the embedded one, or MONGODB_URI when set. */
    mongoUri: string;
  }
}

/**
 * Starts one embedded database (FerretDB on SQLite, in a temporary folder) for the whole run; each test
 * file uses databases of its own on it. With MONGODB_URI set, tests use that server instead.
 */
export default async function setup(project: TestProject) {
  const given = process.env.MONGODB_URI;
  if (given) {
    project.provide('mongoUri', given);
    return;
  }
  const { ensureBuilt, startDevdb } = await import('../devdb/devdb.mjs');
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-test-db-'));
  const db = await startDevdb({ port: 0, dataDir, quiet: true });
  project.provide('mongoUri', db.uri);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
