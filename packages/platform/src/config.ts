import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Default ports of the mesh on one machine; each can be overridden by PORT. */
export const DEFAULT_PORTS = {
  gateway: 4000,
  users: 4001,
  attention: 4002,
  recommendation: 4003,
  ads: 4004,
  feedback: 4005,
} as const;

export type ServiceName = keyof typeof DEFAULT_PORTS;

const DEV_SECRET = 'attention-mesh-development-secret-not-for-production';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_PRETTY: z.enum(['true', 'false']).optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MONGODB_URI: z.string().url().default('mongodb://127.0.0.1:27018/'),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .optional(),
  MESH_INTERNAL_SECRET: z.string().min(32).optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  MODELS_DIR: z.string().optional(),
  TFJS_BACKEND: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
  MODEL_POLL_MS: z.coerce.number().int().min(50).default(30_000),
  ATTENTION_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  ATTENTION_HALF_LIFE_DAYS: z.coerce.number().positive().default(7),
  ATTENTION_MAX_PENDING_BATCHES: z.coerce.number().int().min(1).max(10_000).default(32),
  ATTENTION_MEMORY_DOCS: z.coerce.number().int().min(0).default(200_000),
  ATTENTION_SINGLE_WRITER: z.enum(['true', 'false']).default('true'),
  ADS_TOKEN_SECRET: z.string().min(32).optional(),
  ADS_TOKEN_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60 * 1000),
  ADS_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
  REC_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.7),
  REC_EXPOSURE_CAP: z.coerce.number().gt(0).max(1).default(0.02),
  REC_EXPOSURE_WINDOW: z.coerce.number().int().min(100).default(20_000),
  REC_MAX_BATCH: z.coerce.number().int().min(1).max(4096).default(128),
  REC_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(3),
  REC_REFRESH_MS: z.coerce.number().int().min(1000).default(60_000),
});

export interface ServiceConfig {
  service: ServiceName;
  env: 'development' | 'test' | 'production';
  log: { level: string; pretty: boolean };
  http: { host: string; port: number; maxBodyBytes: number };
  mongo: { uri: string; dbName: string };
  /** HMAC secret shared by the gateway and the subgraphs for the internal context header. */
  internalSecret: string;
  ml: {
    /** The model registry's folder (default <repo>/.data/models). */
    modelsDir: string;
    /** Forces a TensorFlow.js backend; by default the fastest present one is used. */
    backend?: 'tensorflow' | 'wasm' | 'cpu';
    /** How often the registry is checked for a new model version (default 30 s). */
    pollMs: number;
  };
  attention: {
    /** Most events one recordAttention call may carry (default 1,000). */
    maxBatch: number;
    /** Half-life of the category shares in a user's attention profile, in days (default 7). */
    halfLifeDays: number;
    /**
     * Stored batches whose derived data (rollups, totals, profiles, views) may still be waiting to be
     * written before ingestion waits for it (default 32).
     */
    maxPendingBatches: number;
    /**
     * Totals and profiles held in memory (each collection whole, for reads without a database round
     * trip) while each has at most this many documents (default 200,000; 0 turns it off). Only with
     * `singleWriter`.
     */
    memoryDocs: number;
    /**
     * Whether this process is the only one ingesting into its database (default true: the embedded
     * database, docker-compose). Then it keeps totals and profiles in memory and knows which views were
     * never stored. Set false when several replicas ingest (ATTENTION_SINGLE_WRITER=false).
     */
    singleWriter: boolean;
  };
  ads: {
    /** HMAC secret of the impression and click tokens (default: derived from `internalSecret`). */
    tokenSecret: string;
    /** How long a decision's tokens (and its budget reservation) stay valid (default 15 min). */
    tokenTtlMs: number;
    /** How often the decision state re-reads campaigns changed by other replicas (default 10 s). */
    refreshMs: number;
  };
  recommendation: {
    /** MMR trade-off: 1 ranks by relevance only, 0 by novelty against what is already picked (default 0.7). */
    mmrLambda: number;
    /** Most share of recent exposures one item may hold before it is held back (default 0.02). */
    exposureCap: number;
    /** How many recent exposures (served edges) the cap and the Gini look at (default 20,000). */
    exposureWindow: number;
    /** Most requests in one forward pass; 1 turns the micro-batcher off (default 128). */
    maxBatch: number;
    /** How long the first request of a batch waits for others, ms (default 3). */
    batchWaitMs: number;
    /** How often the in-memory catalogue and popularity are re-read, ms (default 60 s). */
    refreshMs: number;
  };
}

/**
 * Parses the environment once, at the entry point. Nothing else in the mesh reads process.env:
 * the typed config is passed down.
 */
export function loadConfig(service: ServiceName, env: Record<string, string | undefined>): ServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration for ${service}:\n${lines}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.MESH_INTERNAL_SECRET) {
    throw new Error(`Invalid configuration for ${service}:\n  MESH_INTERNAL_SECRET: required in production`);
  }
  return {
    service,
    env: e.NODE_ENV,
    log: {
      level: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'),
      pretty: e.LOG_PRETTY ? e.LOG_PRETTY === 'true' : e.NODE_ENV === 'development',
    },
    http: { host: e.HOST, port: e.PORT ?? DEFAULT_PORTS[service], maxBodyBytes: e.MAX_BODY_BYTES },
    mongo: { uri: e.MONGODB_URI, dbName: e.MONGODB_DB ?? `attention_mesh_${service}` },
    internalSecret: e.MESH_INTERNAL_SECRET ?? DEV_SECRET,
    ml: {
      modelsDir: e.MODELS_DIR ?? fileURLToPath(new URL('../../../.data/models', import.meta.url)),
      backend: e.TFJS_BACKEND,
      pollMs: e.MODEL_POLL_MS,
    },
    attention: {
      maxBatch: e.ATTENTION_MAX_BATCH,
      halfLifeDays: e.ATTENTION_HALF_LIFE_DAYS,
      maxPendingBatches: e.ATTENTION_MAX_PENDING_BATCHES,
      memoryDocs: e.ATTENTION_SINGLE_WRITER === 'true' ? e.ATTENTION_MEMORY_DOCS : 0,
      singleWriter: e.ATTENTION_SINGLE_WRITER === 'true',
    },
    ads: {
      tokenSecret: e.ADS_TOKEN_SECRET ?? `ads-token:${e.MESH_INTERNAL_SECRET ?? DEV_SECRET}`,
      tokenTtlMs: e.ADS_TOKEN_TTL_MS,
      refreshMs: e.ADS_REFRESH_MS,
    },
    recommendation: {
      mmrLambda: e.REC_MMR_LAMBDA,
      exposureCap: e.REC_EXPOSURE_CAP,
      exposureWindow: e.REC_EXPOSURE_WINDOW,
      maxBatch: e.REC_MAX_BATCH,
      batchWaitMs: e.REC_BATCH_WAIT_MS,
      refreshMs: e.REC_REFRESH_MS,
    },
  };
}
