import type { Rng } from '../core/random.js';

/** The SASRec parameters: configuration, weight layout and initialisation, vocabulary checks. */

export interface SasRecConfig {
  /** Longest history the model reads (older items are dropped). */
  maxLen: number;
  /** Embedding and hidden size. */
  hidden: number;
  /** Self-attention blocks. */
  blocks: number;
  /** Attention heads per block (must divide `hidden`). */
  heads: number;
  /** Dropout rate during training. */
  dropout: number;
}

export function checkSasRecConfig(c: SasRecConfig): SasRecConfig {
  const positive = (name: keyof SasRecConfig) => {
    const v = c[name];
    if (!Number.isInteger(v) || v < 1) throw new Error(`SASRec ${name} must be a positive integer, got ${v}`);
  };
  positive('maxLen');
  positive('hidden');
  positive('blocks');
  positive('heads');
  if (c.hidden % c.heads !== 0) {
    throw new Error(`SASRec hidden (${c.hidden}) must be a multiple of heads (${c.heads})`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`SASRec dropout must be in [0, 1), got ${c.dropout}`);
  return { maxLen: c.maxLen, hidden: c.hidden, blocks: c.blocks, heads: c.heads, dropout: c.dropout };
}

export function weightShapes(c: SasRecConfig, vocabulary: number): [string, number[]][] {
  const d = c.hidden;
  const shapes: [string, number[]][] = [
    ['item/embedding', [vocabulary, d]],
    ['position/embedding', [c.maxLen, d]],
  ];
  for (let i = 0; i < c.blocks; i++) {
    const b = `block${i}`;
    shapes.push(
      [`${b}/attnNorm/gamma`, [d]],
      [`${b}/attnNorm/beta`, [d]],
      [`${b}/query/kernel`, [d, d]],
      [`${b}/query/bias`, [d]],
      [`${b}/key/kernel`, [d, d]],
      [`${b}/key/bias`, [d]],
      [`${b}/value/kernel`, [d, d]],
      [`${b}/value/bias`, [d]],
      [`${b}/out/kernel`, [d, d]],
      [`${b}/out/bias`, [d]],
      [`${b}/ffnNorm/gamma`, [d]],
      [`${b}/ffnNorm/beta`, [d]],
      [`${b}/ffn1/kernel`, [d, d]],
      [`${b}/ffn1/bias`, [d]],
      [`${b}/ffn2/kernel`, [d, d]],
      [`${b}/ffn2/bias`, [d]],
    );
  }
  shapes.push(['final/gamma', [d]], ['final/beta', [d]]);
  return shapes;
}

export function initialValues(name: string, shape: number[], rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (shape.length === 1) {
    if (name.endsWith('/gamma')) values.fill(1);
    return values;
  }
  // Glorot (Xavier) normal, as in the reference implementations; the padding row stays zero.
  const std = Math.sqrt(2 / (shape[0]! + shape[1]!));
  const start = name === 'item/embedding' ? shape[1]! : 0;
  for (let i = start; i < size; i++) values[i] = rng.normal() * std;
  return values;
}

export function checkVocabulary(itemIds: readonly string[]): string[] {
  if (itemIds.length < 2 || itemIds[0] !== '') {
    throw new Error('SASRec vocabulary must start with the padding id "" and hold at least one item');
  }
  const seen = new Set<string>();
  for (let i = 1; i < itemIds.length; i++) {
    const id = itemIds[i]!;
    if (id === '' || seen.has(id)) throw new Error(`SASRec vocabulary: empty or duplicate item id "${id}"`);
    seen.add(id);
  }
  return [...itemIds];
}
