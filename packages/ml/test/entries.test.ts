import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const MODELS = ['engagement', 'ctr', 'sasrec'];

/** Relative module specifiers of a source file (static imports, re-exports and dynamic imports). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every source file reachable from `entry`, as paths relative to src/. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [join(SRC, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const name = relative(SRC, file);
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...localImports(file));
  }
  return seen;
}

/** The modules of both entries and of the training CLIs. */
function everyModule(): Set<string> {
  const all = new Set<string>();
  for (const entry of [
    'index.ts',
    'training.ts',
    'cli/trainCtr.ts',
    'cli/trainEngagement.ts',
    'cli/trainRec.ts',
  ]) {
    for (const name of reachable(entry)) all.add(name);
  }
  return all;
}

describe('package entries', () => {
  it('the serving entry loads no training module', () => {
    const serving = reachable('index.ts');
    // The model folders' modules the training entry exports (core's shared ones, e.g. random, are both).
    const trainingOnly = localImports(join(SRC, 'training.ts'))
      .map((f) => relative(SRC, f))
      .filter((name) => !name.startsWith('core/'));
    expect(trainingOnly.length).toBeGreaterThan(10);
    for (const name of serving) {
      expect(name, `${name} is loaded by the serving entry`).not.toMatch(/^(cli|core\/training)\//);
      expect(trainingOnly, `${name} is loaded by the serving entry`).not.toContain(name);
    }
    expect(serving).toContain('core/serveLatest.ts');
  });

  it('a model folder imports only from core/ and from itself', () => {
    for (const name of everyModule()) {
      const folder = name.split('/')[0]!;
      if (!MODELS.includes(folder)) continue;
      for (const target of localImports(join(SRC, name)).map((f) => relative(SRC, f))) {
        const to = target.split('/')[0]!;
        expect([folder, 'core'], `${name} imports ${target}`).toContain(to);
      }
    }
  });

  it('core/ imports no model folder', () => {
    for (const name of everyModule()) {
      if (!name.startsWith('core/')) continue;
      for (const target of localImports(join(SRC, name)).map((f) => relative(SRC, f))) {
        expect(target, `${name} imports ${target}`).toMatch(/^core\//);
      }
    }
  });
});
