/** Shape of an engagement model; saved with its weights. */
export interface EngagementModelConfig {
  /** Most recent events attended to per prediction (default 64). */
  maxEvents: number;
  /** Width of the event encodings and the attention (default 32); a multiple of `heads`. */
  dim: number;
  /** Attention heads of the slot-to-events attention (default 4). */
  heads: number;
  /** Hidden units of the MLP head (default 32). */
  hidden: number;
  /** Adds one masked self-attention block over the events before the slot attends to them (default false). */
  selfAttention: boolean;
  /** Uses day-of-week features (default true). */
  dayOfWeek: boolean;
  /**
   * Encodes each event's absolute hour-of-day and day-of-week (default false). Events always carry their
   * hour-of-day relative to the slot and their recency. On the 48-hour Globo log, absolute event times
   * let the model fit one-off traffic spikes and cost validation AUC (0.71 -> 0.64), hence off.
   */
  eventClock: boolean;
  /** Pairs per forward pass in `predict` (default 1024). */
  predictBatchSize: number;
  /** Seed of the weight initialisation (default 1). */
  seed: number;
}

export const DEFAULT_ENGAGEMENT_CONFIG: EngagementModelConfig = {
  maxEvents: 64,
  dim: 32,
  heads: 4,
  hidden: 32,
  selfAttention: false,
  dayOfWeek: true,
  eventClock: false,
  predictBatchSize: 1024,
  seed: 1,
};

function positiveInt(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `Invalid engagement model config: ${name} must be an integer in 1..${max}, got ${String(value)}`,
    );
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`Invalid engagement model config: ${name} must be true or false, got ${String(value)}`);
  }
  return value;
}

/** Fills defaults and checks every field, naming the valid values in its errors. */
export function resolveEngagementConfig(partial: Partial<EngagementModelConfig> = {}): EngagementModelConfig {
  const known = new Set(Object.keys(DEFAULT_ENGAGEMENT_CONFIG));
  for (const key of Object.keys(partial)) {
    if (!known.has(key)) {
      throw new Error(
        `Invalid engagement model config: unknown field "${key}"; valid fields: ${[...known].join(', ')}`,
      );
    }
  }
  const c = { ...DEFAULT_ENGAGEMENT_CONFIG, ...partial };
  const config: EngagementModelConfig = {
    maxEvents: positiveInt('maxEvents', c.maxEvents, 1024),
    dim: positiveInt('dim', c.dim, 1024),
    heads: positiveInt('heads', c.heads, 64),
    hidden: positiveInt('hidden', c.hidden, 4096),
    selfAttention: bool('selfAttention', c.selfAttention),
    dayOfWeek: bool('dayOfWeek', c.dayOfWeek),
    eventClock: bool('eventClock', c.eventClock),
    predictBatchSize: positiveInt('predictBatchSize', c.predictBatchSize, 65_536),
    seed: positiveInt('seed', c.seed, 2 ** 31 - 1),
  };
  if (config.dim % config.heads !== 0) {
    throw new Error(
      `Invalid engagement model config: dim (${config.dim}) must be a multiple of heads (${config.heads})`,
    );
  }
  return config;
}
