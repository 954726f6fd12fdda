import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '@attention-mesh/schema';
import { loadGatewayConfig } from '../../src/config.js';
import { type RunningGateway, startGateway } from '../../src/server.js';
import { TEST_JWT_SECRET } from './jwt.js';

/**
 * A gateway over stand-in subgraphs: each subgraph's SDL is composed into a supergraph in a temporary
 * folder (as `npm run compose` would), served from there with the given URLs.
 */
export async function startTestGateway(opts: {
  subgraphs: { name: string; sdl: string; url: string }[];
  /** The partner contract; none (a missing file) when left out. */
  publicSdl?: string;
  env?: Record<string, string>;
}): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-test-'));
  const entries = opts.subgraphs.map((s) => {
    const schema = join(dir, `${s.name}.graphql`);
    writeFileSync(schema, s.sdl);
    return { name: s.name, schema, url: s.url };
  });
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composeSupergraph(entries));
  const publicFile = join(dir, 'public.graphql');
  if (opts.publicSdl) writeFileSync(publicFile, opts.publicSdl);
  return startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      SUPERGRAPH_PATH: supergraph,
      PUBLIC_SCHEMA_PATH: publicFile,
      // Production's metrics port would be 9464 for every gateway of the run: a free one each.
      ...(opts.env?.NODE_ENV === 'production' ? { METRICS_PORT: '0' } : {}),
      ...opts.env,
    }),
  );
}
