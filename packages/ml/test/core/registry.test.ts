import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import {
  latestVersion,
  listVersions,
  type ModelVersion,
  saveVersion,
  watchLatest,
} from '../../src/core/registry.js';
import { EngagementModel } from '../../src/engagement/model.js';

const root = mkdtempSync(join(tmpdir(), 'ml-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('model registry', () => {
  it('saves versions atomically with metrics.json and finds the latest', async () => {
    expect(await latestVersion(root, 'demo')).toBeUndefined();
    const t = new Date('2024-05-01T12:00:00.000Z');
    const a = await saveVersion(
      root,
      'demo',
      async (dir) => {
        await writeFile(join(dir, 'weights.bin'), 'a');
        return { auc: 0.7 };
      },
      t,
    );
    // Same instant: a suffix keeps versions unique and ordered.
    const b = await saveVersion(
      root,
      'demo',
      async (dir) => {
        await writeFile(join(dir, 'weights.bin'), 'b');
        return undefined;
      },
      t,
    );
    expect(a.version).toBe('2024-05-01T12-00-00-000Z');
    expect(b.version).toBe('2024-05-01T12-00-00-000Z-1');
    expect(JSON.parse(await readFile(join(a.dir, 'metrics.json'), 'utf8'))).toEqual({
      auc: 0.7,
      trainedAt: '2024-05-01T12:00:00.000Z',
    });
    const later = await saveVersion(root, 'demo', async () => ({}), new Date('2024-05-02T00:00:00.000Z'));
    expect((await listVersions(root, 'demo')).map((v) => v.version)).toEqual([
      a.version,
      b.version,
      later.version,
    ]);
    expect((await latestVersion(root, 'demo'))?.version).toBe(later.version);
  });

  it('leaves nothing behind when the writer fails, and rejects unsafe names', async () => {
    await expect(
      saveVersion(root, 'broken', async (dir) => {
        await writeFile(join(dir, 'half'), 'x');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(join(root, 'broken'))).toEqual([]);
    await expect(saveVersion(root, '../escape', async () => ({}))).rejects.toThrow(/Invalid model name/);
  });

  it('loads the latest engagement model and reports new versions to a watcher until stopped', async () => {
    const seen: string[] = [];
    const watcher = watchLatest(
      root,
      'engagement',
      (v: ModelVersion) => {
        seen.push(v.version);
      },
      { intervalMs: 20 },
    );
    await watcher.ready;
    expect(seen).toEqual([]);
    const model = EngagementModel.create({ seed: 3 });
    const saved = await saveVersion(root, 'engagement', async (dir) => {
      await model.save(dir);
      return { kind: 'test' };
    });
    const latest = await latestVersion(root, 'engagement');
    expect(latest?.version).toBe(saved.version);
    const loaded = await EngagementModel.load(latest!.dir);
    const history = { events: [{ at: Date.UTC(2024, 0, 1, 8) }] };
    const slot = Date.UTC(2024, 0, 1, 10);
    expect(await loaded.predict([history], [slot])).toEqual(await model.predict([history], [slot]));
    loaded.dispose();
    model.dispose();
    await expect.poll(() => seen, { timeout: 2_000, interval: 20 }).toEqual([saved.version]);
    watcher.stop();
    await saveVersion(root, 'engagement', async () => ({}), new Date(Date.now() + 60_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([saved.version]);
  });
});
