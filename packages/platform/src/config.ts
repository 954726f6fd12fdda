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
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  MODELS_DIR: z.string().optional(),
  TFJS_BACKEND: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
  MODEL_POLL_MS: z.coerce.number().int().min(50).default(30_000),
});

/** The shared base of every service's configuration. */
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
  if (
    e.NODE_ENV === 'production' &&
    (!e.MESH_INTERNAL_SECRET || e.MESH_INTERNAL_SECRET === DEV_INTERNAL_SECRET)
  ) {
    throw invalid(['MESH_INTERNAL_SECRET: required in production (the development secret is refused)']);
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
    internalSecret: e.MESH_INTERNAL_SECRET ?? DEV_INTERNAL_SECRET,
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
