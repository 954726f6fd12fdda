/**
 * Hive Gateway's configuration file in the gateway benchmark (`hive-gateway supergraph <file>
 * --config-path bench/dist/gateway/hiveConfig.js`): its defaults, plus forwarding the client's
 * `x-mesh-context` to the subgraphs, which the mesh's real subgraphs require (the lean ones ignore it).
 */
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => {
      const value = request.headers.get('x-mesh-context');
      return value ? { 'x-mesh-context': value } : {};
    },
  },
});
