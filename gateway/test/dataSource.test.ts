import { ANONYMOUS, DEV_INTERNAL_SECRET } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { createSubgraphAgent, MeshDataSource } from '../src/dataSource.js';
import type { GatewayPlugin } from '../src/plugins/gatewayPlugin.js';
import { useInternalContext } from '../src/plugins/useInternalContext.js';
import { startFakeSubgraph } from './support/fakeSubgraph.js';

type ProcessArgs = Parameters<MeshDataSource['process']>[0];

describe('subgraph calls outside a client request', () => {
  it('act for nobody, whatever their context object holds', async () => {
    const seen: GatewayContext[] = [];
    const spy: GatewayPlugin = {
      name: 'spy',
      willSendSubgraphRequest: ({ context }) => void seen.push(context),
    };
    const subgraph = await startFakeSubgraph('type Query { hello: String }', { hello: 'hi' });
    const agent = createSubgraphAgent();
    const source = new MeshDataSource('users', subgraph.url, agent, [
      spy,
      useInternalContext(DEV_INTERNAL_SECRET, 60_000),
    ]);
    // A health check's context, and one claiming an admin without having been through a client request.
    for (const context of [{}, { caller: { userId: 'x', scopes: ['admin'] } }]) {
      const answer = await source.process({
        request: { query: '{ hello }' },
        context,
      } as unknown as ProcessArgs);
      expect(answer.data).toEqual({ hello: 'hi' });
    }
    expect(seen.map((c) => c.caller)).toEqual([ANONYMOUS, ANONYMOUS]);
    expect(subgraph.requests.map((r) => r.caller)).toEqual([{ scopes: [] }, { scopes: [] }]);
    await agent.close();
    await subgraph.stop();
  });
});
