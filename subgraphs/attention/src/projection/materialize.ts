/**
 * Applies `$inc` / `$max` / `$setOnInsert` updates to documents held in memory, the way the database
 * would, so a bulk rebuild can write finished documents with plain inserts. Dotted paths create nested
 * objects. Pure.
 */

export interface Update {
  $inc?: Record<string, number>;
  $max?: Record<string, number>;
  $setOnInsert?: Record<string, unknown>;
}

type Doc = Record<string, unknown> & { _id: string };

function parentOf(doc: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const parts = path.split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  return [node, parts.at(-1)!];
}

export function applyUpdate(docs: Map<string, Doc>, id: string, update: Update): void {
  let doc = docs.get(id);
  if (!doc) {
    doc = { _id: id, ...update.$setOnInsert };
    docs.set(id, doc);
  }
  for (const [path, v] of Object.entries(update.$inc ?? {})) {
    const [node, key] = parentOf(doc, path);
    node[key] = ((node[key] as number | undefined) ?? 0) + v;
  }
  for (const [path, v] of Object.entries(update.$max ?? {})) {
    const [node, key] = parentOf(doc, path);
    const current = node[key] as number | undefined;
    node[key] = current === undefined ? v : Math.max(current, v);
  }
}

/** The document an upsert of `update` creates where none is stored. */
export function newDocOf(id: string, update: Update): Doc {
  const docs = new Map<string, Doc>();
  applyUpdate(docs, id, update);
  return docs.get(id)!;
}
