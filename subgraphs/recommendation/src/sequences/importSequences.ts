import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { bulkUpsert, insertNew } from '@attention-mesh/platform';
import type { ItemDoc, ItemKind } from '../models/Item.js';
import { bumpCatalogueVersion } from '../models/RecState.js';
import { MAX_SEQUENCE } from '../models/UserSequence.js';
import type { RecommendationRuntime } from '../runtime.js';

export interface ImportOptions {
  /** Items get the title `<titlePrefix> <token>` (default "Item"). */
  titlePrefix?: string;
  /** Category of the imported items (default "imported"). */
  category?: string;
  kind?: ItemKind;
  /** Users written per bulk write (default 500, sent in slices by bulkUpsert). */
  batch?: number;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  phase: 'read' | 'items' | 'users' | 'popularity';
  done: number;
  total: number;
}

export interface ImportResult {
  lines: number;
  skipped: number;
  users: number;
  items: number;
  itemsCreated: number;
}

const TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Reads a `user item` file (one interaction a line, each user's lines in time order) into sequences. */
export async function readSequenceFile(
  path: string,
): Promise<{ sequences: Map<string, string[]>; lines: number; skipped: number }> {
  const sequences = new Map<string, string[]>();
  let lines = 0;
  let skipped = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    const text = line.trim();
    if (!text) continue;
    lines++;
    const [user, item, extra] = text.split(/\s+/);
    if (!user || !item || extra !== undefined || !TOKEN.test(user) || !TOKEN.test(item)) {
      skipped++;
      continue;
    }
    let seq = sequences.get(user);
    if (!seq) {
      seq = [];
      sequences.set(user, seq);
    }
    seq.push(item);
  }
  return { sequences, lines, skipped };
}

/**
 * Loads a `user item` sequence file: every item into the catalogue (new ones only: an existing item is
 * left as it is), each user's last MAX_SEQUENCE items as their sequence (replacing what was stored, and
 * bumping its version), and each item's interaction count as its imported popularity (set, so importing
 * the same file twice counts it once). Safe to run again.
 */
export async function importSequences(
  runtime: Pick<RecommendationRuntime, 'Item' | 'UserSequence' | 'ItemPopularity' | 'RecState'>,
  path: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const { sequences, lines, skipped } = await readSequenceFile(path);
  opts.onProgress?.({ phase: 'read', done: lines, total: lines });
  const counts = new Map<string, number>();
  for (const seq of sequences.values()) for (const item of seq) counts.set(item, (counts.get(item) ?? 0) + 1);

  const now = Date.now();
  const itemIds = [...counts.keys()];
  let itemsCreated = 0;
  const ITEM_BATCH = 1_000;
  for (let i = 0; i < itemIds.length; i += ITEM_BATCH) {
    const docs: ItemDoc[] = itemIds.slice(i, i + ITEM_BATCH).map((id) => ({
      _id: id,
      title: `${opts.titlePrefix ?? 'Item'} ${id}`,
      kind: opts.kind ?? 'PRODUCT',
      category: opts.category ?? 'imported',
      tags: [],
      url: null,
      publishedAt: now,
      createdAt: now,
    }));
    itemsCreated += (await insertNew(runtime.Item, docs)).length;
    opts.onProgress?.({
      phase: 'items',
      done: Math.min(i + ITEM_BATCH, itemIds.length),
      total: itemIds.length,
    });
  }

  const batch = opts.batch ?? 500;
  const users = [...sequences];
  for (let i = 0; i < users.length; i += batch) {
    const ops = users.slice(i, i + batch).map(([userId, seq]) => ({
      updateOne: {
        filter: { _id: userId },
        update: {
          $set: { items: seq.slice(-MAX_SEQUENCE), updatedAt: now },
          $inc: { version: 1 },
          $setOnInsert: { hidden: [], applied: [] },
        },
        upsert: true as const,
      },
    }));
    await bulkUpsert(runtime.UserSequence, ops);
    opts.onProgress?.({ phase: 'users', done: Math.min(i + batch, users.length), total: users.length });
  }

  const pops = [...counts];
  for (let i = 0; i < pops.length; i += batch) {
    const ops = pops.slice(i, i + batch).map(([itemId, n]) => ({
      updateOne: {
        filter: { _id: itemId },
        update: { $set: { imported: n }, $setOnInsert: { engagedMs: 0, interactions: 0 } },
        upsert: true as const,
      },
    }));
    await bulkUpsert(runtime.ItemPopularity, ops);
    opts.onProgress?.({ phase: 'popularity', done: Math.min(i + batch, pops.length), total: pops.length });
  }
  await bumpCatalogueVersion(runtime.RecState);
  return { lines, skipped, users: sequences.size, items: counts.size, itemsCreated };
}

/**
 * Writes the stored sequences as `user item` lines (each user's items oldest first), the format the
 * training CLI reads, so the model can be retrained on the product's own data. Users whose ids or
 * items contain whitespace (not expressible in the format) are skipped and counted.
 */
export async function exportSequences(
  runtime: Pick<RecommendationRuntime, 'UserSequence'>,
  write: (chunk: string) => Promise<void> | void,
): Promise<{ users: number; lines: number; skipped: number }> {
  let users = 0;
  let lines = 0;
  let skipped = 0;
  const cursor = runtime.UserSequence.find({}).lean().cursor();
  for await (const doc of cursor) {
    const d = doc as { _id: string; items?: string[] };
    const items = d.items ?? [];
    if (items.length === 0) continue;
    if (!TOKEN.test(d._id) || items.some((i) => !TOKEN.test(i))) {
      skipped++;
      continue;
    }
    users++;
    lines += items.length;
    await write(items.map((i) => `${d._id} ${i}\n`).join(''));
  }
  return { users, lines, skipped };
}
