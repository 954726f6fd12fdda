/**
 * The load generator, in a child process: a client sharing the service's process (its event loop, or a
 * worker thread of it) is served unfairly and shows tail latency the service does not have. Gets one
 * job by IPC, sends back one latency per request, the errors and the ranking sources, and exits.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEV_INTERNAL_SECRET, INTERNAL_CONTEXT_HEADER, signInternalContext } from '@attention-mesh/platform';
import { keepAliveAgent, postJson } from '../shared/keepAlivePost.js';

export interface LoadJob {
  url: string;
  users: string[];
  concurrency: number;
  /** Ask this instead of the recommendations (same `$r` variable): the fixed cost of a request. */
  query?: string;
}

export interface LoadResult {
  seconds: number;
  /** The load generator's own event-loop delay (ms): how late it could have noticed a response. */
  clientDelay: { p99: number; max: number };
  latencies: number[];
  errors: number;
  sources: Record<string, number>;
}

const QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
  recommendations(first: 10) { source edges { position score node { id title } explanation { item { id } weight } } }
} } }`;

interface Reply {
  data?: { _entities: { recommendations: { source: string; edges: unknown[] } }[] } | null;
  errors?: unknown[];
}

async function run({ url, users, concurrency, query }: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const sources: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const target = new URL(url);
  const agent = keepAliveAgent(concurrency);
  // Open the connections first (a trivial query on each), so the timed requests do not include
  // connection set-up.
  await Promise.all(
    Array.from({ length: concurrency }, () =>
      postJson<Reply>(agent, target, JSON.stringify({ query: '{ __typename }' })),
    ),
  );
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      // Signed per request, as the gateway does, for the user themselves (User.recommendations is theirs
      // only); the subgraph under test runs with the development secret. Not part of the latency.
      const headers = {
        [INTERNAL_CONTEXT_HEADER]: signInternalContext({ userId: user, scopes: [] }, DEV_INTERNAL_SECRET),
      };
      const payload = JSON.stringify({
        query: query ?? QUERY,
        variables: { r: [{ __typename: 'User', id: user }] },
      });
      const s = performance.now();
      let body: Reply;
      try {
        body = await postJson<Reply>(agent, target, payload, headers);
      } catch {
        body = { errors: ['request failed'] };
      }
      latencies.push(performance.now() - s);
      if (query) {
        if (body.errors || !body.data?._entities[0]) errors++;
        else sources.NONE = (sources.NONE ?? 0) + 1;
        continue;
      }
      const rec = body.data?._entities[0]?.recommendations;
      if (body.errors || !rec || rec.edges.length !== 10) errors++;
      else sources[rec.source] = (sources[rec.source] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, users.length)) }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  delay.disable();
  const clientDelay = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
  return { seconds, clientDelay, latencies, errors, sources };
}

if (process.send) {
  process.once('message', (job: LoadJob) => {
    void run(job).then((result) => process.send!(result, () => process.exit(0)));
  });
}
