import type { CtrDataset, CtrFields, FieldSpec } from './types.js';

/** Criteo display-ads columns after the label: 13 integer counts I1..I13, 26 hashed categoricals C1..C26. */
export const CRITEO_FIELDS: readonly FieldSpec[] = [
  ...Array.from({ length: 13 }, (_, i) => ({ name: `I${i + 1}`, kind: 'numeric' as const })),
  ...Array.from({ length: 26 }, (_, i) => ({ name: `C${i + 1}`, kind: 'categorical' as const })),
];

/**
 * Parses Criteo TSV text (no header; label, I1..I13, C1..C26; an empty cell is missing). Blank lines are
 * skipped; a line with the wrong column count, a label other than 0/1 or a non-integer count is an error
 * naming the line.
 */
export function parseCriteo(text: string): CtrDataset {
  const rows: CtrFields[] = [];
  const labels: number[] = [];
  const lines = text.split('\n');
  const columns = CRITEO_FIELDS.length + 1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.endsWith('\r') ? lines[n]!.slice(0, -1) : lines[n]!;
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (cells.length !== columns) {
      throw new Error(`criteo line ${n + 1}: ${cells.length} columns, expected ${columns}`);
    }
    if (cells[0] !== '0' && cells[0] !== '1') {
      throw new Error(`criteo line ${n + 1}: label must be 0 or 1, got "${cells[0]}"`);
    }
    labels.push(cells[0] === '1' ? 1 : 0);
    const row: Record<string, string | number | null> = {};
    for (let f = 0; f < CRITEO_FIELDS.length; f++) {
      const spec = CRITEO_FIELDS[f]!;
      const cell = cells[f + 1]!;
      if (cell === '') row[spec.name] = null;
      else if (spec.kind === 'numeric') {
        const x = Number(cell);
        if (!Number.isInteger(x)) {
          throw new Error(`criteo line ${n + 1}: ${spec.name} must be an integer, got "${cell}"`);
        }
        row[spec.name] = x;
      } else row[spec.name] = cell;
    }
    rows.push(row);
  }
  return { fields: CRITEO_FIELDS.map((f) => ({ ...f })), rows, labels: Uint8Array.from(labels) };
}
