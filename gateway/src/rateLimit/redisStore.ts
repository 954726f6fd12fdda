import type { Logger } from '@attention-mesh/platform';
import { Redis } from 'ioredis';
import type { BucketStore } from './bucketStore.js';
import type { BucketResult } from './tokenBucket.js';

/**
 * `charge` of tokenBucket.ts in one atomic step, on Redis's clock (so replicas' clocks do not matter).
 * KEYS[1]: the bucket; ARGV: capacity, windowMs, cost, mode ('take' | 'force'). A refused charge writes
 * nothing; a bucket expires once it would be full again (an absent bucket is a full one).
 */
const CHARGE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), capacity)
local force = ARGV[4] == 'force'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(capacity, tonumber(state[1]) + elapsed * capacity / windowMs)
end
local allowed = force or tokens >= cost
if allowed then
  tokens = math.min(capacity, math.max(-capacity, tokens - cost))
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * windowMs / capacity) + 1000)
end
return { allowed and 1 or 0, tostring(tokens) }
`;

type ScriptedRedis = Redis & {
  meshRateLimitCharge(key: string, ...args: (string | number)[]): Promise<[number, string]>;
};

/** How long a gateway waits for Redis: at start, and for one charge (then the limiter fails open). */
const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 250;
/** Connection errors are logged at most this often while Redis stays away. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Buckets in Redis (REDIS_URL), shared by every gateway replica. Commands are not queued while Redis
 * is unreachable: a charge fails at once (and the limiter lets the request through), while the client
 * keeps reconnecting in the background.
 */
export function createRedisStore(opts: { url: string; logger: Logger; prefix?: string }): BucketStore {
  const prefix = opts.prefix ?? 'mesh:ratelimit:';
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  }) as ScriptedRedis;
  redis.defineCommand('meshRateLimitCharge', { numberOfKeys: 1, lua: CHARGE_SCRIPT });
  let lastErrorLog = 0;
  redis.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLog = now;
    opts.logger.warn({ err: err.message }, 'rate limit Redis unreachable; reconnecting');
  });
  return {
    async charge(key, policy, cost, mode): Promise<BucketResult> {
      const [allowed, tokens] = await redis.meshRateLimitCharge(
        prefix + key,
        policy.capacity,
        policy.windowMs,
        cost,
        mode,
      );
      return { allowed: allowed === 1, tokens: Number(tokens) };
    },
    async start() {
      try {
        await redis.connect();
      } catch (err) {
        opts.logger.warn(
          { err: (err as Error).message },
          'rate limit Redis unreachable at start; requests pass unlimited until it is back',
        );
      }
    },
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
