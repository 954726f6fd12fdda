/** The repository root as the compiled benchmarks see it, and what they read from or write under it. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'attention-mesh') return dir;
    } catch {
      // no package.json here
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('attention-mesh repository root not found above the benchmark');
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();

/**
 * Imports a built file of the repository by its path from the root (e.g. `gateway/dist/config.js`): for
 * what a workspace package does not export. Resolved at run time, so the compiled benchmark finds it
 * wherever `dist` is.
 */
export async function importFromRepo<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(REPO_ROOT, path)).href)) as T;
}

/** `bench/results` (git-ignored), created when missing. */
export function resultsDir(): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `data` as JSON to `bench/results/<file>`; returns the path. */
export function writeResults(file: string, data: unknown): string {
  const path = join(resultsDir(), file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
