import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The house's one subgraph shape (README, "Inside a subgraph"), checked against the tree. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUBGRAPHS = ['users', 'attention', 'recommendation', 'ads', 'feedback'];

/** Files every subgraph has, by role. */
const REQUIRED = [
  'src/schema.graphql',
  'src/index.ts',
  'src/server.ts',
  'src/runtime.ts',
  'src/loaders.ts',
  'src/models',
  'src/resolvers/context.ts',
  'src/generated/resolvers.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((m) => m[1] ?? '');

describe.each(SUBGRAPHS)('the %s subgraph', (name) => {
  const dir = join(ROOT, 'subgraphs', name);

  it('has a file for every role', () => {
    expect(REQUIRED.filter((f) => !existsSync(join(dir, f)))).toEqual([]);
  });

  it('boots in index.ts and nothing else there', () => {
    const imports = importsOf(join(dir, 'src/index.ts'));
    expect(imports.sort()).toEqual(['./server.js', '@attention-mesh/platform']);
  });

  it('lets nothing but index.ts import server.ts', () => {
    const importers = sources(join(dir, 'src'))
      .filter((f) => importsOf(f).some((i) => /(^|\/)server\.js$/.test(i)))
      .map((f) => relative(dir, f));
    expect(importers).toEqual(['src/index.ts']);
  });

  it('keeps mongoose models free of per-process state', () => {
    const offenders = sources(join(dir, 'src/models')).filter((f) =>
      /new (CounterWriter|LruCache|KeyedLock)\b|from '\.\.\/runtime\.js'/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders.map((f) => relative(dir, f))).toEqual([]);
  });
});
