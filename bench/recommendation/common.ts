/**
 * Shared helpers of the recommendation benchmark: the repository root, a private embedded database,
 * logging to stderr, tables and latency statistics (the same shapes as
 * bench/attention/common.ts, kept apart so each benchmark compiles alone).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '@attention-mesh/platform';
import { pino } from 'pino';

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

/** Imports a built file of the repository by its path from the root (what a package does not export). */
export async function importFromRepo<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(REPO_ROOT, path)).href)) as T;
}

const started = Date.now();
export function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

/** Logs of the services, warnings and up, to stderr (stdout carries the tables). */
export function stderrLogger(service: string): Logger {
  return pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service } },
    pino.destination({ dest: 2, sync: true }),
  );
}

export function table(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export function writeResults(file: string, data: unknown): string {
  const path = join(REPO_ROOT, 'bench', 'results', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function latencySummary(ms: readonly number[]) {
  return {
    p50: round(percentile(ms, 50)),
    p90: round(percentile(ms, 90)),
    p99: round(percentile(ms, 99)),
    max: round(Math.max(...ms)),
  };
}

export interface BenchDatabase {
  uri: string;
  kind: string;
  stop(): Promise<void>;
}

/** MONGODB_URI when set, else a private embedded database in a temporary folder. */
export async function startDatabase(): Promise<BenchDatabase> {
  const given = process.env.MONGODB_URI;
  if (given) return { uri: given, kind: 'MongoDB (MONGODB_URI)', stop: async () => {} };
  const devdb = await importFromRepo<typeof import('../../tools/devdb/devdb.mjs')>('tools/devdb/devdb.mjs');
  await devdb.ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'rec-bench-db-'));
  const db = await devdb.startDevdb({ port: 0, dataDir, quiet: true });
  progress(`embedded database at ${db.uri} (data in ${dataDir})`);
  return {
    uri: db.uri,
    kind: 'embedded FerretDB v1.24 (SQLite)',
    stop: async () => {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
