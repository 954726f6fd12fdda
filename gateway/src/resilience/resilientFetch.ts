import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from 'undici';
import type { CircuitBreaker } from './circuitBreaker.js';
import { CircuitOpenError, SubgraphTimeoutError } from './failures.js';

/** What one subgraph call brings from its client request. */
export interface SubgraphCall {
  /** The client request's signal, aborted at its deadline. */
  signal?: AbortSignal;
  /** A read: may be sent again after a network error or a 502/503/504. */
  retryable: boolean;
}

export interface ResilientFetchOptions {
  name: string;
  agent: Agent;
  breaker: CircuitBreaker;
  /** Per attempt, body included. */
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  random?: () => number;
}

const RETRY_STATUS = new Set([502, 503, 504]);

/** The delay before retry `n` (1-based): `baseMs`, doubling each time, jittered to 50-100 %. */
export function retryDelayMs(n: number, baseMs: number, random: () => number = Math.random): number {
  return baseMs * 2 ** (n - 1) * (0.5 + random() / 2);
}

/** A subgraph's HTTP answer, its body read whole. */
export interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Where one subgraph is reached: the pool's origin and the request path. */
export interface SubgraphTarget {
  origin: string;
  path: string;
}

/**
 * Sends one subgraph call over the shared pool (undici's `request()`: no `fetch`, `Headers`,
 * `Response` or WHATWG stream per call): each attempt under its own timeout (and the caller's
 * signal), reads retried after a network error or a 502/503/504 with jittered backoff, nothing sent
 * while the subgraph's breaker is open. A failure is thrown (or, for a 5xx, returned) so that the
 * data source reports it to `onSubgraphFailure` like any other failed call.
 */
export function createResilientFetch(
  o: ResilientFetchOptions,
): (
  target: SubgraphTarget,
  headers: Record<string, string>,
  body: string,
  call?: SubgraphCall,
) => Promise<SubgraphAnswer> {
  return async (target, headers, body, call) => {
    for (let attempt = 0; ; attempt++) {
      if (call?.signal?.aborted) throw call.signal.reason;
      if (!o.breaker.allow()) throw new CircuitOpenError(o.name);
      const last = !call?.retryable || attempt >= o.retries;
      let answer: SubgraphAnswer;
      try {
        answer = await attemptOnce(o, target, headers, body, call?.signal);
      } catch (error) {
        if (call?.signal?.aborted) {
          // The client's deadline, not the subgraph's fault.
          o.breaker.released();
          throw call.signal.reason;
        }
        o.breaker.failed();
        if (last || error instanceof SubgraphTimeoutError) throw error;
        await pause(retryDelayMs(attempt + 1, o.retryDelayMs, o.random), call?.signal);
        continue;
      }
      if (answer.status < 500) {
        o.breaker.succeeded();
        return answer;
      }
      o.breaker.failed();
      if (last || !RETRY_STATUS.has(answer.status)) return answer;
      await pause(retryDelayMs(attempt + 1, o.retryDelayMs, o.random), call?.signal);
    }
  };
}

async function attemptOnce(
  o: ResilientFetchOptions,
  target: SubgraphTarget,
  headers: Record<string, string>,
  body: string,
  request: AbortSignal | undefined,
): Promise<SubgraphAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new SubgraphTimeoutError(o.name, o.timeoutMs)),
    o.timeoutMs,
  );
  const onAbort = () => controller.abort(request?.reason);
  request?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await o.agent.request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers,
      body,
      signal: controller.signal,
    });
    // The body is read here, under the same timeout: a subgraph that stalls mid-answer fails too.
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text };
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    request?.removeEventListener('abort', onAbort);
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throw signal?.reason;
  }
}
