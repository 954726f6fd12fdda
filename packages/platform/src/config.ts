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

/** The HS256 secret of people's bearer tokens in development and tests; production refuses it. */
export const DEV_JWT_SECRET = 'attention-mesh-development-jwt-secret-not-for-production';

/** The internal secret of development and tests; production refuses to start with it. */
export const DEV_INTERNAL_SECRET = 'attention-mesh-development-secret-not-for-production';

/** The erasure secret of development and tests (tombstones); production refuses to start with it. */
export const DEV_ERASURE_SECRET = 'attention-mesh-development-erasure-secret-not-for-production';

/** The settings every service shares; a service adds its own as a `ConfigSection`. */
const baseEnv = z.object({
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
  MESH_ERASURE_SECRET: z.string().min(32).optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  MODELS_DIR: z.string().optional(),
  TFJS_BACKEND: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
  MODEL_POLL_MS: z.coerce.number().int().min(50).default(30_000),
  EVENT_BUS: z.enum(['mongo', 'nats'], { error: 'must be mongo or nats' }).default('mongo'),
  EVENT_BUS_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 characters of A-Z a-z 0-9 _ -')
    .default('attention_mesh_bus'),
  EVENT_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000, 'must be at least 60000 (1 minute)')
    .max(30 * 24 * 60 * 60 * 1000, 'must be at most 30 days')
    .default(60 * 60 * 1000),
  NATS_URL: z
    .string()
    .regex(
      /^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/,
      'must be nats://host:port (or tls://), several separated by commas',
    )
    .max(2_000)
    .default('nats://127.0.0.1:4222'),
  EVENT_POLL_MS: z.coerce
    .number()
    .int()
    .min(10, 'must be at least 10')
    .max(5_000, 'must be at most 5000')
    .default(100),
  EVENT_IDLE_POLL_MS: z.coerce
    .number()
    .int()
    .min(10, 'must be at least 10')
    .max(60_000, 'must be at most 60000')
    .default(500),
  EVENT_PARTITION_COUNT: z.coerce.number().int().min(1).max(1024).optional(),
  EVENT_PARTITION_INDEX: z.coerce.number().int().min(0).max(1023).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL (OTLP/HTTP)')
    .optional(),
  OTEL_TRACES_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
    .default('mesh'),
});

/** The shared base of every service's configuration. */
export interface ServiceConfig {
  service: ServiceName;
  env: 'development' | 'test' | 'production';
  log: { level: string; pretty: boolean };
  http: { host: string; port: number; maxBodyBytes: number };
  mongo: { uri: string; dbName: string };
  /** The event bus (`createEventBus`). */
  events: {
    /** `EVENT_BUS`: `mongo` (the outbox in the bus database, default) or `nats` (JetStream). */
    adapter: 'mongo' | 'nats';
    /** `EVENT_RETENTION_MS`: how long events are kept (default 1 h). */
    retentionMs: number;
    /** `EVENT_BUS_DB`: the mongo adapter's database on MONGODB_URI (default attention_mesh_bus). */
    mongoDbName: string;
    /**
     * Mongo adapter: `EVENT_POLL_MS`, how often a process reads the log for new events while they flow
     * (default 100), and `EVENT_IDLE_POLL_MS` once 10 s passed without any (default 500).
     */
    pollMs: number;
    idlePollMs: number;
    /** `NATS_URL` (default nats://127.0.0.1:4222) and `NATS_STREAM`, the bus's stream (default mesh). */
    nats: { url: string; stream: string };
    /**
     * `EVENT_PARTITION_COUNT` and `EVENT_PARTITION_INDEX` (0-based, e.g. a StatefulSet pod's ordinal):
     * this replica's share of the keys, for consumers that keep per-key state (`SubscribeOptions.partition`).
     */
    partition?: { count: number; index: number };
  };
  /**
   * Prometheus metrics. `METRICS_PORT`: a listener of its own answering `GET /metrics` (0 picks a free
   * port); the service's own port then has no `/metrics`. Default: 9464 in production (the public port
   * never shows metrics), none elsewhere, where `/metrics` is served on the service's port.
   */
  metrics: { port?: number };
  /**
   * OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` names an OTLP/HTTP collector
   * (e.g. http://localhost:4318); `OTEL_TRACES_SAMPLE_RATIO` keeps that share of new traces (default 1).
   */
  tracing: { endpoint?: string; sampleRatio: number };
  /** HMAC secret shared by the gateway and the subgraphs for the internal context header. */
  internalSecret: string;
  /**
   * `MESH_ERASURE_SECRET`: the HMAC key of erased users' tombstones, the same in every service (a dev
   * default that production refuses). Changing it forgets every tombstone: keep it for good.
   */
  erasureSecret: string;
  ml: {
    /** The model registry's folder (default <repo>/.data/models). */
    modelsDir: string;
    /** Forces a TensorFlow.js backend; by default the fastest present one is used. */
    backend?: 'tensorflow' | 'wasm' | 'cpu';
    /** How often the registry is checked for a new model version (default 30 s). */
    pollMs: number;
  };
}

/** The metrics port a production process listens on unless METRICS_PORT says another. */
export const DEFAULT_METRICS_PORT = 9464;

function metricsOf(port: number | undefined, env: ServiceConfig['env']): ServiceConfig['metrics'] {
  if (port !== undefined) return { port };
  return env === 'production' ? { port: DEFAULT_METRICS_PORT } : {};
}

/**
 * A service's own settings: the environment variables it reads (a zod object, validated together with
 * the shared base so one message lists every problem) and how they become typed config. `build` sees
 * the base (e.g. to derive a secret) and may throw an Error for a rule across fields.
 */
export interface ConfigSection<T extends object> {
  env: z.ZodObject<z.ZodRawShape>;
  build(env: Record<string, unknown>, base: ServiceConfig): T;
}

/** Declares a service's config section with its types inferred from the zod object. */
export function configSection<S extends z.ZodRawShape, T extends object>(
  env: z.ZodObject<S>,
  build: (env: z.output<z.ZodObject<S>>, base: ServiceConfig) => T,
): ConfigSection<T> {
  return { env, build: build as ConfigSection<T>['build'] };
}

/** What a section adds to the base. */
export type SectionOf<S> = S extends ConfigSection<infer T> ? T : never;

/**
 * Parses the environment once, at the entry point: the shared base and, when given, the service's own
 * section. Nothing else in the mesh reads process.env: the typed config is passed down.
 */
export function loadConfig<T extends object = Record<never, never>>(
  service: ServiceName,
  env: Record<string, string | undefined>,
  section?: ConfigSection<T>,
): ServiceConfig & T {
  const schema = section ? baseEnv.extend(section.env.shape) : baseEnv;
  const parsed = schema.safeParse(env);
  const invalid = (lines: string[]) =>
    new Error(`Invalid configuration for ${service}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data as z.output<typeof baseEnv> & Record<string, unknown>;
  if ((e.EVENT_PARTITION_COUNT === undefined) !== (e.EVENT_PARTITION_INDEX === undefined))
    throw invalid(['EVENT_PARTITION_COUNT and EVENT_PARTITION_INDEX: set both or neither']);
  if (e.EVENT_PARTITION_COUNT !== undefined && e.EVENT_PARTITION_INDEX! >= e.EVENT_PARTITION_COUNT)
    throw invalid([
      `EVENT_PARTITION_INDEX: must be below EVENT_PARTITION_COUNT (${e.EVENT_PARTITION_COUNT}), from 0`,
    ]);
  if (
    e.NODE_ENV === 'production' &&
    (!e.MESH_INTERNAL_SECRET || e.MESH_INTERNAL_SECRET === DEV_INTERNAL_SECRET)
  ) {
    throw invalid(['MESH_INTERNAL_SECRET: required in production (the development secret is refused)']);
  }
  // The gateway keeps no user data and never computes a tombstone.
  if (
    service !== 'gateway' &&
    e.NODE_ENV === 'production' &&
    (!e.MESH_ERASURE_SECRET || e.MESH_ERASURE_SECRET === DEV_ERASURE_SECRET)
  ) {
    throw invalid(['MESH_ERASURE_SECRET: required in production (the development secret is refused)']);
  }
  const base: ServiceConfig = {
    service,
    env: e.NODE_ENV,
    log: {
      level: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'),
      pretty: e.LOG_PRETTY ? e.LOG_PRETTY === 'true' : e.NODE_ENV === 'development',
    },
    http: { host: e.HOST, port: e.PORT ?? DEFAULT_PORTS[service], maxBodyBytes: e.MAX_BODY_BYTES },
    mongo: { uri: e.MONGODB_URI, dbName: e.MONGODB_DB ?? `attention_mesh_${service}` },
    events: {
      adapter: e.EVENT_BUS,
      retentionMs: e.EVENT_RETENTION_MS,
      mongoDbName: e.EVENT_BUS_DB,
      pollMs: e.EVENT_POLL_MS,
      idlePollMs: Math.max(e.EVENT_IDLE_POLL_MS, e.EVENT_POLL_MS),
      nats: { url: e.NATS_URL, stream: e.NATS_STREAM },
      ...(e.EVENT_PARTITION_COUNT !== undefined
        ? { partition: { count: e.EVENT_PARTITION_COUNT, index: e.EVENT_PARTITION_INDEX! } }
        : {}),
    },
    metrics: metricsOf(e.METRICS_PORT, e.NODE_ENV),
    tracing: {
      ...(e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
      sampleRatio: e.OTEL_TRACES_SAMPLE_RATIO,
    },
    internalSecret: e.MESH_INTERNAL_SECRET ?? DEV_INTERNAL_SECRET,
    erasureSecret: e.MESH_ERASURE_SECRET ?? DEV_ERASURE_SECRET,
    ml: {
      modelsDir: e.MODELS_DIR ?? fileURLToPath(new URL('../../../.data/models', import.meta.url)),
      backend: e.TFJS_BACKEND,
      pollMs: e.MODEL_POLL_MS,
    },
  };
  if (!section) return base as ServiceConfig & T;
  try {
    return { ...base, ...section.build(e, base) };
  } catch (err) {
    throw invalid([err instanceof Error ? err.message : String(err)]);
  }
}
