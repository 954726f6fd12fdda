import type { CtrFields, CtrValue, FieldSpec } from './types.js';

/** Local index of the missing-value bucket of every field. */
export const MISSING = 0;
/** Local index of the out-of-vocabulary bucket of every field (values rarer than minCount, or unseen). */
export const OOV = 1;
const RESERVED = 2;

/** The serialisable state of a fitted encoder (saved in model.json). */
export interface EncoderState {
  fields: FieldSpec[];
  minCount: number;
  /** Per field, the tokens with their own bucket, in bucket order (bucket = 2 + position). */
  vocabularies: string[][];
}

function isMissing(value: CtrValue): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (typeof value === 'number' && Number.isNaN(value))
  );
}

/**
 * The token of a present value. Numeric fields use the Criteo/AutoInt discretisation: x > 2 becomes the
 * bucket floor(ln(x)²), so counts spanning orders of magnitude share a few buckets; smaller values keep
 * their own token. A numeric field holding a non-number gets a token no training number can match (OOV).
 */
export function tokenOf(kind: FieldSpec['kind'], value: string | number): string {
  if (kind === 'categorical') return typeof value === 'number' ? String(value) : value;
  const x = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isFinite(x)) return `?${String(value)}`;
  return x > 2 ? `log2:${Math.floor(Math.log(x) ** 2)}` : `=${x}`;
}

/**
 * Maps each field of a row to one id in a shared id space: per field a missing bucket, an OOV bucket and
 * one bucket per token seen at least `minCount` times in the rows it was fitted on (fit it on the training
 * split only). Field f's ids start at `offsets[f]`; `size` ids in all.
 */
export class FeatureEncoder {
  readonly fields: readonly FieldSpec[];
  readonly minCount: number;
  readonly offsets: Int32Array;
  readonly size: number;
  private readonly vocabularies: string[][];
  private readonly lookups: Map<string, number>[];

  private constructor(state: EncoderState) {
    if (state.fields.length !== state.vocabularies.length) {
      throw new Error(`encoder: ${state.fields.length} fields but ${state.vocabularies.length} vocabularies`);
    }
    this.fields = state.fields.map((f) => ({ ...f }));
    this.minCount = state.minCount;
    this.vocabularies = state.vocabularies.map((v) => [...v]);
    this.lookups = this.vocabularies.map((v) => new Map(v.map((token, i) => [token, RESERVED + i])));
    this.offsets = new Int32Array(this.fields.length);
    let at = 0;
    for (let f = 0; f < this.fields.length; f++) {
      this.offsets[f] = at;
      at += RESERVED + this.vocabularies[f]!.length;
    }
    this.size = at;
  }

  /** Fits the vocabularies on `rows` (tokens in order of decreasing count, ties by first appearance). */
  static fit(rows: readonly CtrFields[], fields: readonly FieldSpec[], minCount = 2): FeatureEncoder {
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new Error(`encoder: minCount must be a positive integer, got ${minCount}`);
    }
    if (fields.length === 0) throw new Error('encoder: no fields to encode');
    const vocabularies = fields.map((field) => {
      const counts = new Map<string, number>();
      for (const row of rows) {
        const value = row[field.name];
        if (isMissing(value)) continue;
        const token = tokenOf(field.kind, value as string | number);
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
      return [...counts]
        .filter(([, c]) => c >= minCount)
        .sort((a, b) => b[1] - a[1])
        .map(([t]) => t);
    });
    return new FeatureEncoder({ fields: fields.map((f) => ({ ...f })), minCount, vocabularies });
  }

  static fromJSON(state: EncoderState): FeatureEncoder {
    return new FeatureEncoder(state);
  }

  toJSON(): EncoderState {
    return {
      fields: this.fields.map((f) => ({ ...f })),
      minCount: this.minCount,
      vocabularies: this.vocabularies.map((v) => [...v]),
    };
  }

  /** Buckets of field `f` (missing, OOV and its vocabulary). */
  fieldSize(f: number): number {
    return RESERVED + this.vocabularies[f]!.length;
  }

  /** The local bucket (0 missing, 1 OOV, 2.. vocabulary) of a value of field `f`. */
  bucket(f: number, value: CtrValue): number {
    if (isMissing(value)) return MISSING;
    const token = tokenOf(this.fields[f]!.kind, value as string | number);
    return this.lookups[f]!.get(token) ?? OOV;
  }

  /** Ids of `rows[indices[k]]` (all rows without `indices`), row-major: [rows x fields]. */
  encode(rows: readonly CtrFields[], indices?: ArrayLike<number>): Int32Array {
    const n = indices ? indices.length : rows.length;
    const F = this.fields.length;
    const ids = new Int32Array(n * F);
    for (let k = 0; k < n; k++) {
      const row = rows[indices ? indices[k]! : k]!;
      for (let f = 0; f < F; f++) {
        ids[k * F + f] = this.offsets[f]! + this.bucket(f, row[this.fields[f]!.name]);
      }
    }
    return ids;
  }
}
