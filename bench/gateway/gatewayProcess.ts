/**
 * One gateway of the protection benchmark in its own process, so that its CPU (GC included) is measured
 * apart from the client and from the other gateway. Started by `protection.ts` with `fork()`:
 * `BENCH_GATEWAY_ENV` holds the gateway's environment (JSON), `BENCH_GATEWAY_WITHOUT` the plugins it
 * leaves out (comma-separated, empty for none). It answers on its IPC channel: `{ type: 'ready', url }`
 * once listening, then `{ type: 'cpu', id, user, system, rss, heapUsed }` for each `{ type: 'cpu', id }`.
 * `{ type: 'stop' }` stops the gateway and exits.
 */
import { startGateway } from '@attention-mesh/gateway';
import { stderrLogger } from '../shared/output.js';
import { importFromRepo } from '../shared/repo.js';

export interface CpuReply {
  type: 'cpu';
  id: number;
  user: number;
  system: number;
  rss: number;
  heapUsed: number;
}

export type GatewayMessage = { type: 'ready'; url: string } | CpuReply;

async function main(): Promise<void> {
  if (!process.send) throw new Error('gatewayProcess runs under fork(), with an IPC channel');
  const env = JSON.parse(process.env.BENCH_GATEWAY_ENV ?? '{}') as Record<string, string>;
  const without = (process.env.BENCH_GATEWAY_WITHOUT ?? '').split(',').filter(Boolean);
  const label = process.env.BENCH_GATEWAY_LABEL ?? 'gateway';
  const { loadGatewayConfig } =
    await importFromRepo<typeof import('../../gateway/dist/config.js')>('gateway/dist/config.js');
  const gateway = await startGateway(loadGatewayConfig(env), { logger: stderrLogger(label), without });
  process.on('message', (message: { type: string; id?: number }) => {
    if (message.type === 'cpu') {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      process.send?.({
        type: 'cpu',
        id: message.id ?? 0,
        user: cpu.user,
        system: cpu.system,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
      } satisfies CpuReply);
    } else if (message.type === 'stop') {
      void gateway.stop().then(() => process.exit(0));
    }
  });
  process.send({ type: 'ready', url: gateway.url } satisfies GatewayMessage);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
