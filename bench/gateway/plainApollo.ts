/**
 * Contender (c) of the gateway benchmark: plain @apollo/gateway + @apollo/server with their defaults
 * (standalone server, RemoteGraphQLDataSource) on the supergraph file `BENCH_SUPERGRAPH` (its
 * `for: SECURITY` links removed as this gateway does: @apollo/gateway refuses them), listening on
 * 127.0.0.1:$PORT. Only addition: each subgraph call carries the client's `x-mesh-context`, which the
 * mesh's real subgraphs require. `BENCH_WORKERS` > 1 runs that many node:cluster workers.
 *
 * Forked with an IPC channel (one worker): `{ type: 'fetches', id }` is answered with each subgraph's
 * call latencies since the last ask (`FetchReply`), the subgraphs' own latency as a gateway sees it.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import {
  ApolloGateway,
  type GraphQLDataSourceProcessOptions,
  RemoteGraphQLDataSource,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { importFromRepo } from '../shared/repo.js';

const HEADER = 'x-mesh-context';

interface Context {
  meshContext?: string;
}

export interface FetchReply {
  type: 'fetches';
  id: number;
  /** Subgraph call latencies in ms since the previous ask, by subgraph name. */
  latenciesMs: Record<string, number[]>;
}

const latencies: Record<string, number[]> = {};

class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    const value = (context as Context).meshContext;
    if (value) request.http?.headers.set(HEADER, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<Context>) {
    const t0 = performance.now();
    try {
      return await super.process(options);
    } finally {
      const list = latencies[this.subgraph] ?? [];
      latencies[this.subgraph] = list;
      if (list.length < 1_000_000) list.push(performance.now() - t0);
    }
  }
}

async function serve(): Promise<void> {
  const { forApolloGateway } = await importFromRepo<typeof import('../../gateway/dist/supergraph.js')>(
    'gateway/dist/supergraph.js',
  );
  const file = process.env.BENCH_SUPERGRAPH;
  if (!file) throw new Error('BENCH_SUPERGRAPH names the supergraph file');
  const gateway = new ApolloGateway({
    supergraphSdl: forApolloGateway(readFileSync(file, 'utf8')),
    buildService: ({ name, url }) => new ForwardingDataSource(name, url ?? ''),
  });
  const server = new ApolloServer<Context>({ gateway });
  await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? '4000'), host: '127.0.0.1' },
    context: async ({ req }: { req: IncomingMessage }) => {
      const value = req.headers[HEADER];
      return typeof value === 'string' ? { meshContext: value } : {};
    },
  });
  process.on('message', (message: { type: string; id?: number }) => {
    if (message.type !== 'fetches') return;
    const reply: FetchReply = { type: 'fetches', id: message.id ?? 0, latenciesMs: { ...latencies } };
    for (const key of Object.keys(latencies)) latencies[key] = [];
    process.send?.(reply);
  });
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

const workers = Number(process.env.BENCH_WORKERS ?? '1');
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  serve().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
