import { CTR_MODEL_KINDS, type CtrModelKind } from './types.js';

/** Shape of a CTR model; saved with its weights. Training settings (L2, dropout) are not part of it. */
export interface CtrModelConfig {
  /** `logreg`: one weight per field value plus a bias. `autoint`: field embeddings + self-attention. */
  kind: CtrModelKind;
  /** AutoInt: width of the field embeddings (default 16). */
  embeddingDim: number;
  /** AutoInt: interacting (multi-head self-attention over fields) layers (default 3). */
  layers: number;
  /** AutoInt: attention heads per layer (default 2). */
  heads: number;
  /** AutoInt: width of each head (default 8); a layer outputs heads x headDim per field. */
  headDim: number;
  /** AutoInt: adds the logistic-regression part (one weight per field value) to the logit (default true). */
  linear: boolean;
  /** Rows per forward pass in `predict` (default 4096). */
  predictBatchSize: number;
  /** Seed of the weight initialisation (default 1). */
  seed: number;
}

export const DEFAULT_CTR_CONFIG: CtrModelConfig = {
  kind: 'autoint',
  embeddingDim: 16,
  layers: 3,
  heads: 2,
  headDim: 8,
  linear: true,
  predictBatchSize: 4096,
  seed: 1,
};

function positiveInt(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `Invalid CTR model config: ${name} must be an integer in 1..${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** Fills defaults and checks every field, naming the valid values in its errors. */
export function resolveCtrConfig(partial: Partial<CtrModelConfig> = {}): CtrModelConfig {
  const known = new Set(Object.keys(DEFAULT_CTR_CONFIG));
  for (const key of Object.keys(partial)) {
    if (!known.has(key)) {
      throw new Error(
        `Invalid CTR model config: unknown field "${key}"; valid fields: ${[...known].join(', ')}`,
      );
    }
  }
  const c = { ...DEFAULT_CTR_CONFIG, ...partial };
  if (!CTR_MODEL_KINDS.includes(c.kind)) {
    throw new Error(
      `Invalid CTR model config: kind must be one of ${CTR_MODEL_KINDS.join(', ')}, got ${String(c.kind)}`,
    );
  }
  if (typeof c.linear !== 'boolean') {
    throw new Error(`Invalid CTR model config: linear must be true or false, got ${String(c.linear)}`);
  }
  return {
    kind: c.kind,
    embeddingDim: positiveInt('embeddingDim', c.embeddingDim, 1024),
    layers: positiveInt('layers', c.layers, 16),
    heads: positiveInt('heads', c.heads, 64),
    headDim: positiveInt('headDim', c.headDim, 1024),
    linear: c.linear,
    predictBatchSize: positiveInt('predictBatchSize', c.predictBatchSize, 1 << 20),
    seed: positiveInt('seed', c.seed, 2 ** 31 - 1),
  };
}
