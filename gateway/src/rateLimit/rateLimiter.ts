import { type Caller, isAdmin, type Logger } from '@attention-mesh/platform';
import type { BucketStore } from './bucketStore.js';
import { type ClientKind, clientKindOf } from './clientKind.js';
import { type BucketPolicy, type ChargeMode, type Decision, decisionOf } from './tokenBucket.js';

/** The two budgets of a client: HTTP requests, and the cost of its operations (demand control's). */
export type Budget = 'requests' | 'cost';

export interface RateLimits {
  /** The window budgets refill over (a bucket refills its whole quota in one window). */
  windowMs: number;
  budgets: Record<ClientKind, Record<Budget, number>>;
  /** Admins (operators, the test suite) are not limited. */
  adminExempt: boolean;
}

/** Whose budget a request is charged to. */
export interface Subject {
  kind: ClientKind;
  /** `key:<partnerId>/<apiKeyId>`, `user:<userId>` or `ip:<address>`. */
  id: string;
}

/** What the gateway's context hook found, for the later hooks of the same request. */
export interface RateLimitState {
  subject: Subject;
  /** The request budget after this request; absent while the store fails open. */
  requests?: Decision;
}

/** Per API key, else per user, else per client address; none (not limited) for an exempt admin. */
export function subjectOf(
  caller: Caller,
  address: string | (() => string),
  limits: RateLimits,
): Subject | undefined {
  if (limits.adminExempt && isAdmin(caller)) return undefined;
  const kind = clientKindOf(caller);
  if (caller.partnerId !== undefined && caller.apiKeyId !== undefined)
    return { kind, id: `key:${caller.partnerId}/${caller.apiKeyId}` };
  if (caller.userId !== undefined) return { kind, id: `user:${caller.userId}` };
  return { kind, id: `ip:${typeof address === 'function' ? address() : address}` };
}

/** While the store keeps failing, one warning per this interval. */
const WARN_INTERVAL_MS = 30_000;

export interface RateLimiter {
  policy(subject: Subject, budget: Budget): BucketPolicy;
  /**
   * Charges `cost` to a subject's budget (`force`: a correction, never refused). Undefined when the
   * store failed: the limiter fails open (the request passes, a warning is logged), so a Redis outage
   * costs the mesh its rate limits, not its availability; demand control still bounds each operation.
   */
  charge(subject: Subject, budget: Budget, cost: number, mode?: ChargeMode): Promise<Decision | undefined>;
}

export function createRateLimiter(opts: {
  limits: RateLimits;
  store: BucketStore;
  logger: Logger;
  now?: () => number;
}): RateLimiter {
  const now = opts.now ?? Date.now;
  const policies = new Map<string, BucketPolicy>();
  const policy = (subject: Subject, budget: Budget): BucketPolicy => {
    const name = `${subject.kind}:${budget}`;
    let p = policies.get(name);
    if (!p) {
      p = { capacity: opts.limits.budgets[subject.kind][budget], windowMs: opts.limits.windowMs };
      policies.set(name, p);
    }
    return p;
  };
  let lastWarning = Number.NEGATIVE_INFINITY;
  let failing = false;
  return {
    policy,
    async charge(subject, budget, cost, mode = 'take') {
      const p = policy(subject, budget);
      try {
        const result = await opts.store.charge(`${budget}:${subject.kind}:${subject.id}`, p, cost, mode);
        if (failing) {
          failing = false;
          opts.logger.info('rate limit store is back; limits apply again');
        }
        return decisionOf(result, p, cost);
      } catch (err) {
        failing = true;
        if (now() - lastWarning >= WARN_INTERVAL_MS) {
          lastWarning = now();
          opts.logger.warn(
            { err: (err as Error).message },
            'rate limit store failed; requests pass without rate limits (fail open)',
          );
        }
        return undefined;
      }
    },
  };
}
