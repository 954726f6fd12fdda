import {
  ANONYMOUS,
  DEV_INTERNAL_SECRET,
  INTERNAL_CONTEXT_HEADER,
  verifyInternalContext,
} from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { createSubgraphAgent, MeshDataSource } from '../src/dataSource.js';
import type { GatewayPlugin } from '../src/plugins/gatewayPlugin.js';
import { useInternalContext } from '../src/plugins/useInternalContext.js';

type SendArgs = Parameters<MeshDataSource['willSendRequest']>[0];

describe('subgraph calls outside a client request', () => {
  it('act for nobody, whatever their context object holds', async () => {
    const seen: GatewayContext[] = [];
    const spy: GatewayPlugin = {
      name: 'spy',
      willSendSubgraphRequest: ({ context }) => void seen.push(context),
    };
    const agent = createSubgraphAgent();
    const source = new MeshDataSource('users', 'http://127.0.0.1:9/graphql', agent, [
      spy,
      useInternalContext(DEV_INTERNAL_SECRET, 60_000),
    ]);
    const headers = new Map<string, string>();
    const request = { query: '{ __typename }', http: { method: 'POST', url: '', headers } };
    // A health check's context, and one claiming an admin without having been through a client request.
    for (const context of [{}, { caller: { userId: 'x', scopes: ['admin'] } }]) {
      await source.willSendRequest({ request, context } as unknown as SendArgs);
      expect(verifyInternalContext(headers.get(INTERNAL_CONTEXT_HEADER), DEV_INTERNAL_SECRET)).toEqual({
        scopes: [],
      });
    }
    expect(seen.map((c) => c.caller)).toEqual([ANONYMOUS, ANONYMOUS]);
    await agent.close();
  });
});
