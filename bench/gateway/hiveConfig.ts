/**
 * Hive Gateway's configuration file in the gateway benchmark (`hive-gateway supergraph <file> -c
 * bench/dist/gateway/hiveConfig.js`): its defaults, plus forwarding the client's `x-mesh-context` to
 * the subgraphs, which the mesh's real subgraphs require (the lean ones ignore it).
 */
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => {
      const value = request.headers.get('x-mesh-context');
      return value ? { 'x-mesh-context': value } : {};
    },
  },
};
