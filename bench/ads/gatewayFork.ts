/** A gateway in its own process for `subgraph.ts --via gateway` (the gateway benchmark's `gatewayProcess.ts`). */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { GatewayMessage } from '../gateway/gatewayProcess.js';
import { REPO_ROOT } from '../shared/repo.js';

export interface ForkedGateway {
  url: string;
  stop(): Promise<void>;
}

/** Starts a gateway routing the ads subgraph to `adsUrl`, protections that would refuse a load test off. */
export async function forkGateway(label: string, adsUrl: string): Promise<ForkedGateway> {
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
  const child = fork(join(REPO_ROOT, 'bench', 'dist', 'gateway', 'gatewayProcess.js'), [], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      BENCH_GATEWAY_ENV: JSON.stringify(env),
      BENCH_GATEWAY_LABEL: label,
    },
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway ${label} exited with code ${code}`)));
    child.on('message', (message: GatewayMessage) => {
      if (message.type === 'ready') resolve(message.url);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
