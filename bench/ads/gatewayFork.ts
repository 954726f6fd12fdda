/** A gateway in its own process for `subgraph.ts --via gateway` (the gateway benchmark's `gatewayProcess.ts`). */
import { forkGateway, type GatewayProcess } from '../gateway/forkGateway.js';

/** Starts a gateway routing the ads subgraph to `adsUrl`, protections that would refuse a load test off. */
export function forkAdsGateway(label: string, adsUrl: string): Promise<GatewayProcess> {
  const budget = '1000000000';
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    WATCH_SUPERGRAPH: 'false',
    RATE_LIMIT_ENABLED: 'false',
    RATE_LIMIT_PERSON_REQUESTS: budget,
    RATE_LIMIT_PERSON_COST: budget,
    SUBGRAPH_ADS_URL: adsUrl,
  };
  return forkGateway(label, env);
}
