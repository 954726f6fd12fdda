import { randomBytes } from 'node:crypto';
import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import { attentionSubgraph } from '@attention-mesh/attention-subgraph';
import { feedbackSubgraph } from '@attention-mesh/feedback-subgraph';
import { seedIfEmpty } from '@attention-mesh/mesh';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { recommendationSubgraph } from '@attention-mesh/recommendation-subgraph';
import { startTestSubgraph } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { loadGatewayConfig } from '../../src/config.js';
import { type RunningGateway, startGateway } from '../../src/server.js';
import { adminBearer, TEST_JWT_SECRET } from './jwt.js';

export interface DemoMesh {
  gateway: RunningGateway;
  /** The bus database the subgraphs and the gateway's subscriptions share. */
  busDbName: string;
  subgraphs: RunningSubgraph<unknown>[];
  stop(): Promise<void>;
}

/**
 * The five real subgraphs on one event bus (as in a deployment: the recommendation subgraph learns
 * users from their events) behind a gateway with the test JWT secret, the demo world seeded as an admin.
 * `env` is the gateway's; `subgraphEnv` is given to every subgraph (e.g. MODELS_DIR, MODEL_POLL_MS).
 */
export async function startDemoMesh(
  mongoUri: string,
  env: Record<string, string> = {},
  subgraphEnv: Record<string, string> = {},
): Promise<DemoMesh> {
  const bus = `t_bus_mesh_${randomBytes(4).toString('hex')}`;
  const subgraphs: RunningSubgraph<unknown>[] = [];
  for (const def of [usersSubgraph, attentionSubgraph, recommendationSubgraph, adsSubgraph, feedbackSubgraph])
    subgraphs.push(
      (await startTestSubgraph(def as Parameters<typeof startTestSubgraph>[0], mongoUri, {
        busDbName: bus,
        env: subgraphEnv,
      })) as RunningSubgraph<unknown>,
    );
  const gatewayEnv: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    // Subscriptions read the subgraphs' bus.
    MONGODB_URI: mongoUri,
    EVENT_BUS_DB: bus,
    ...env,
  };
  for (const s of subgraphs) gatewayEnv[`SUBGRAPH_${s.name.toUpperCase()}_URL`] = s.url;
  const gateway = await startGateway(loadGatewayConfig(gatewayEnv));
  if (!(await seedIfEmpty(gateway.url, undefined, { headers: await adminBearer() })))
    throw new Error('the demo world was not seeded into a fresh mesh');
  return {
    gateway,
    busDbName: bus,
    subgraphs,
    async stop() {
      await gateway.stop();
      await subgraphs[0]?.connection.useDb(bus, { useCache: false }).dropDatabase();
      await Promise.all(subgraphs.map((s) => s.stop()));
    },
  };
}
