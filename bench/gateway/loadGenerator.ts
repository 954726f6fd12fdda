/**
 * The load generator of the gateway benchmark, in its own process so that its CPU does not fall on the
 * parent's bookkeeping: forked with an IPC channel, it answers each `LoadRequest` with a `LoadReply`.
 * A closed loop over an undici Pool of `connections` keep-alive connections: each connection sends its
 * next request as soon as the previous answer is read, bodies taken in turn, for `seconds`.
 */
import { Pool } from 'undici';

export interface LoadRequest {
  type: 'load';
  id: number;
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  connections: number;
  seconds: number;
}

export interface LoadReply {
  type: 'load';
  id: number;
  ok: number;
  errors: number;
  /** The first error's text (status and start of the body). */
  firstError?: string;
  elapsedMs: number;
  /** Each successful request's latency, ms. */
  latenciesMs: number[];
}

const pools = new Map<string, Pool>();

async function load(req: LoadRequest): Promise<LoadReply> {
  const url = new URL(req.url);
  let pool = pools.get(url.origin);
  if (!pool) {
    pool = new Pool(url.origin, { connections: req.connections, pipelining: 1 });
    pools.set(url.origin, pool);
  }
  const headers = { 'content-type': 'application/json', ...req.headers };
  const latenciesMs: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const end = start + req.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const body = req.bodies[next++ % req.bodies.length]!;
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: url.pathname, method: 'POST', headers, body });
        const text = await res.body.text();
        // A GraphQL error list at the top level (generated data never names a field "errors").
        if (res.statusCode !== 200 || text.includes('"errors":[')) {
          errors++;
          firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        } else {
          ok++;
          latenciesMs.push(performance.now() - t0);
        }
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: req.connections }, worker));
  return {
    type: 'load',
    id: req.id,
    ok,
    errors,
    firstError,
    elapsedMs: performance.now() - start,
    latenciesMs,
  };
}

process.on('message', (message: LoadRequest | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void Promise.all([...pools.values()].map((p) => p.close())).then(() => process.exit(0));
    return;
  }
  void load(message).then((reply) => process.send?.(reply));
});
