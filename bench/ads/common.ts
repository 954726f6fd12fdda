/** Shared by the ads benchmarks: the repository root, the results folder and small statistics. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// Types only (erased): the built decision modules are loaded below from the repository root.
import type * as DecisionModules from '../../subgraphs/ads/dist/decision/index.js';

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
 * The ads subgraph's pure decision modules, built (`subgraphs/ads/dist/decision`): the package exports
 * only its server, and the compiled benchmark runs from `bench/ads/dist`, so the path is resolved here.
 */
export const decision: typeof DecisionModules = await import(
  pathToFileURL(join(REPO_ROOT, 'subgraphs', 'ads', 'dist', 'decision', 'index.js')).href
);

export function resultsDir(): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A plain text table with right-aligned numbers. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map(
      (r, ri) =>
        r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') +
        (ri === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''),
    )
    .join('\n');
}
