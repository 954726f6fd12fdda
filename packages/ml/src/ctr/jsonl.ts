import type { CtrDataset, CtrFields, FieldSpec } from './types.js';

export interface JsonlOptions {
  /** Fields log²-bucketed as counts; every other field is categorical, numbers included (default none). */
  numericFields?: readonly string[];
}

/**
 * Parses JSON lines of `{ "label": 0|1, "fields": { "<name>": string|number|null } }` (the ads subgraph's
 * impression log). The field list is every name seen, in order of first appearance; a field absent from a
 * line is missing there. Numbers are categorical unless listed in `numericFields` (hourOfDay, dayOfWeek
 * and ids are categories, not magnitudes).
 */
export function parseCtrJsonl(text: string, options: JsonlOptions = {}): CtrDataset {
  const rows: CtrFields[] = [];
  const labels: number[] = [];
  const names: string[] = [];
  const known = new Set<string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`jsonl line ${n + 1}: invalid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null) throw new Error(`jsonl line ${n + 1}: not an object`);
    const { label, fields } = value as { label?: unknown; fields?: unknown };
    if (label !== 0 && label !== 1) {
      throw new Error(`jsonl line ${n + 1}: label must be 0 or 1, got ${JSON.stringify(label)}`);
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new Error(`jsonl line ${n + 1}: "fields" must be an object of field values`);
    }
    const row: Record<string, string | number | null> = {};
    for (const [name, v] of Object.entries(fields)) {
      if (v !== null && typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
        throw new Error(
          `jsonl line ${n + 1}: field "${name}" must be a string, a finite number or null, got ${JSON.stringify(v)}`,
        );
      }
      row[name] = v;
      if (!known.has(name)) {
        known.add(name);
        names.push(name);
      }
    }
    labels.push(label);
    rows.push(row);
  }
  const numeric = new Set(options.numericFields ?? []);
  for (const name of numeric) {
    if (!known.has(name)) throw new Error(`jsonl: numeric field "${name}" appears on no line`);
  }
  const fields: FieldSpec[] = names.map((name) => ({
    name,
    kind: numeric.has(name) ? 'numeric' : 'categorical',
  }));
  return { fields, rows, labels: Uint8Array.from(labels) };
}
