import type { Logger } from '../logger.js';
import { withConsumerSpan } from '../tracing/eventTrace.js';
import type {
  EntityKey,
  EnvelopeHandler,
  EventCheck,
  MeshEvent,
  PartitionSpec,
  SubscribeOptions,
} from './types.js';

/** Default tries of a handler before its event goes to the dead letters: with the default backoff (200 ms doubling to 30 s) about 80 s, which a short outage of what the handler writes to outlasts rarely. */
export const DEFAULT_MAX_ATTEMPTS = 10;

const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/** What both adapters need to run one subscription, with the defaults applied. */
export interface DeliverySettings {
  maxAttempts: number;
  retryMinMs: number;
  retryMaxMs: number;
  check?: EventCheck;
  partition?: PartitionSpec;
  ephemeral: boolean;
}

/** Checks a subscription's arguments the same way for every adapter; throws a clear Error. */
export function checkSubscription(consumer: string, types: readonly string[], opts: SubscribeOptions): void {
  if (!CONSUMER_NAME.test(consumer))
    throw new Error(
      `consumer name ${JSON.stringify(consumer)} must be 1-100 characters of A-Z a-z 0-9 _ . : -`,
    );
  if (types.length === 0 || types.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(t)))
    throw new Error(`consumer ${consumer} must subscribe to at least one event type (A-Z a-z 0-9 _ . -)`);
  const max = opts.maxAttempts;
  if (max !== undefined && !(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1)))
    throw new Error(`consumer ${consumer}: maxAttempts must be a positive integer or Infinity`);
  const p = opts.partition;
  if (p) {
    if (opts.ephemeral) throw new Error(`consumer ${consumer}: an ephemeral subscription has no partition`);
    if (!Number.isInteger(p.count) || p.count < 1 || p.count > 1024)
      throw new Error(`consumer ${consumer}: partition.count must be an integer from 1 to 1024`);
    if (!Number.isInteger(p.index) || p.index < 0 || p.index >= p.count)
      throw new Error(`consumer ${consumer}: partition.index must be an integer from 0 to ${p.count - 1}`);
  }
}

/**
 * The partition of an entity key among `count`: FNV-1a (32 bit) of `__typename:id`, modulo `count`.
 * Stable across processes, versions and adapters, so replicas agree on who owns a key.
 */
export function partitionOf(key: EntityKey, count: number): number {
  const s = `${key.__typename}:${key.id}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** Whether a partitioned consumer's replica owns this event (always true without a partition). */
export function ownsEvent(partition: PartitionSpec | undefined, key: EntityKey): boolean {
  return !partition || partition.count === 1 || partitionOf(key, partition.count) === partition.index;
}

/** Retry delay of the n-th failed try: min * 2^(n-1), at most max. */
export function backoff(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 20));
}

/** A sleep that `wake()` (stop) cuts short. */
export class Sleeper {
  private wakers = new Set<() => void>();
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Ends every sleep, now and later (the consumer is stopping). */
  wake(): void {
    this.woken = true;
    for (const w of [...this.wakers]) w();
  }
}

export type Outcome = 'handled' | 'set-aside' | 'stopped';

export interface DeliverContext {
  consumer: string;
  handler: EnvelopeHandler;
  settings: DeliverySettings;
  logger: Logger;
  sleeper: Sleeper;
  stopped(): boolean;
  /** Stores a dead letter (durable consumers); throwing retries it. */
  setAside(event: MeshEvent, reason: string): Promise<void>;
  /** Called before each retry wait (keep progress, extend an ack deadline). */
  beforeRetry?(): Promise<void>;
}

/**
 * One event through the check and the handler, with retries and backoff; after `maxAttempts` failed
 * tries (or a refused check) the event is set aside and the consumer moves on. Ephemeral consumers log
 * instead of storing a dead letter. Resolves 'stopped' when the consumer stops first.
 */
export async function deliverEvent(ctx: DeliverContext, event: MeshEvent): Promise<Outcome> {
  const { settings, logger } = ctx;
  let reason: string | undefined;
  for (let attempt = 1; reason === undefined; attempt++) {
    try {
      const checked = settings.check ? settings.check(event) : { ok: true as const, event };
      if (!checked.ok) {
        reason = checked.reason;
        logger.error(
          { eventId: event.id, type: event.type, reason },
          "event refused by the consumer's check (see reason): set aside and passed over",
        );
        break;
      }
      await withConsumerSpan(ctx.consumer, checked.event, () => ctx.handler(checked.event));
      return 'handled';
    } catch (err) {
      if (attempt >= settings.maxAttempts) {
        reason = `handler failed ${attempt} times: ${err instanceof Error ? err.message : String(err)}`;
        logger.error(
          { err, eventId: event.id, type: event.type, attempt },
          'event handler kept failing: the event is set aside as a dead letter and passed over',
        );
        break;
      }
      const retryInMs = backoff(attempt, settings.retryMinMs, settings.retryMaxMs);
      logger.error(
        { err, eventId: event.id, type: event.type, attempt, retryInMs },
        'event handler failed, retrying the same event',
      );
      await ctx.beforeRetry?.();
      if (ctx.stopped()) return 'stopped';
      await ctx.sleeper.sleep(retryInMs);
      if (ctx.stopped()) return 'stopped';
    }
  }
  if (settings.ephemeral) return 'set-aside';
  // The dead letter is stored before the position passes the event: a failed write is retried.
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.setAside(event, reason);
      return 'set-aside';
    } catch (err) {
      logger.error({ err, eventId: event.id, attempt }, 'cannot store the dead letter, retrying');
      if (ctx.stopped()) return 'stopped';
      await ctx.sleeper.sleep(backoff(attempt, settings.retryMinMs, settings.retryMaxMs));
      if (ctx.stopped()) return 'stopped';
    }
  }
}
