import { setTimeout as sleep } from 'node:timers/promises';
import { type Agent, fetch, type RequestInit, Response } from 'undici';
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

/**
 * Sends one subgraph call over the shared pool: each attempt under its own timeout (and the client
 * request's deadline), reads retried after a network error or a 502/503/504 with jittered backoff,
 * nothing sent while the subgraph's breaker is open. A failure is thrown (or, for a 5xx, returned) so
 * that the data source reports it to `onSubgraphFailure` like any other failed call.
 */
export function createResilientFetch(
  o: ResilientFetchOptions,
): (url: string, init: RequestInit, call?: SubgraphCall) => Promise<Response> {
  return async (url, init, call) => {
    for (let attempt = 0; ; attempt++) {
      if (call?.signal?.aborted) throw call.signal.reason;
      if (!o.breaker.allow()) throw new CircuitOpenError(o.name);
      const last = !call?.retryable || attempt >= o.retries;
      let response: Response;
      try {
        response = await attemptOnce(o, url, init, call?.signal);
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
      if (response.status < 500) {
        o.breaker.succeeded();
        return response;
      }
      o.breaker.failed();
      if (last || !RETRY_STATUS.has(response.status)) return response;
      await pause(retryDelayMs(attempt + 1, o.retryDelayMs, o.random), call?.signal);
    }
  };
}

async function attemptOnce(
  o: ResilientFetchOptions,
  url: string,
  init: RequestInit,
  request: AbortSignal | undefined,
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new SubgraphTimeoutError(o.name, o.timeoutMs)),
    o.timeoutMs,
  );
  const onAbort = () => controller.abort(request?.reason);
  request?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(url, { ...init, dispatcher: o.agent, signal: controller.signal });
    // The body is read here, under the same timeout: a subgraph that stalls mid-answer fails too.
    const body = await res.arrayBuffer();
    return new Response(res.status === 204 || res.status === 304 ? null : body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
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
