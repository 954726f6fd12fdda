import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parseCriteo } from './criteo.js';
import { type JsonlOptions, parseCtrJsonl } from './jsonl.js';
import type { CtrDataset } from './types.js';

export const CTR_FORMATS = ['criteo', 'jsonl'] as const;
export type CtrFormat = (typeof CTR_FORMATS)[number];

/** The format of a CTR data file from its name: `.jsonl`/`.ndjson` (optionally `.gz`) are JSON lines. */
export function detectCtrFormat(path: string): CtrFormat {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path) ? 'jsonl' : 'criteo';
}

/** Reads a Criteo TSV or impression JSONL file (gzip when it ends in `.gz`). */
export async function readCtrData(
  path: string,
  format: CtrFormat = detectCtrFormat(path),
  options: JsonlOptions = {},
): Promise<CtrDataset> {
  const raw = await readFile(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return format === 'jsonl' ? parseCtrJsonl(text, options) : parseCriteo(text);
}
