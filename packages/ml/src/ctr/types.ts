/** A raw field value of a CTR example; null, undefined, '' and NaN all mean missing. */
export type CtrValue = string | number | null | undefined;

/** The fields of one impression, by name. */
export type CtrFields = Readonly<Record<string, CtrValue>>;

/** How a field is turned into a token: as is, or log²-bucketed (Criteo's integer counts). */
export type FieldKind = 'categorical' | 'numeric';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
}

/** Labelled impressions: `labels[i]` is 1 when `rows[i]` was clicked. */
export interface CtrDataset {
  fields: FieldSpec[];
  rows: CtrFields[];
  labels: Uint8Array;
}

export type CtrModelKind = 'autoint' | 'logreg';
export const CTR_MODEL_KINDS: readonly CtrModelKind[] = ['autoint', 'logreg'];

/** The registry name the training CLI saves the served CTR model under. */
export const CTR_MODEL_NAME = 'ctr';

/**
 * What the ads subgraph serves pCTR from, whichever model won on validation. `predict` runs one forward
 * pass for all rows and frees every tensor it made; fields missing from a row count as missing values,
 * and values never seen in training fall into their field's out-of-vocabulary bucket.
 */
export interface CtrPredictor {
  readonly kind: CtrModelKind;
  /** Names of the input fields, in model order. */
  readonly fields: readonly string[];
  predict(rows: readonly CtrFields[]): Promise<Float32Array>;
  /** Writes the model (encoder included) into `dir`; `loadCtrModel(dir)` reads it back. */
  save(dir: string): Promise<void>;
  dispose(): void;
}
