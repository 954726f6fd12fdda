/** The gateway benchmark's measurements (one cell: one operation on one gateway for one round) summed up. */
import { percentile, quantile } from '../shared/latency.js';
import { round } from '../shared/output.js';
import { SUBGRAPHS } from '../shared/subgraphs.js';
import { CONTENDERS, type ContenderKey } from './contenders.js';
import type { Operation } from './gatewayOperations.js';
import type { LoadReply } from './loadGenerator.js';

export interface Cell {
  op: string;
  contender: ContenderKey;
  reply: LoadReply;
  gatewayCpuMs: number;
  subgraphCpuMs: Record<string, number>;
  databaseCpuMs: number;
  /** Each subgraph call's latency seen from plain @apollo/gateway (its cells only). */
  fetchLatenciesMs?: Record<string, number[]>;
}

export interface Row {
  op: string;
  contender: ContenderKey;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  cpuMsPerRequest: number;
  subgraphCpuMsPerRequest: Record<string, number>;
  databaseCpuMsPerRequest: number;
  /** Subgraph call latency p50 / p99 and calls per request, from plain @apollo/gateway. */
  subgraphLatencyMs?: Record<string, { p50: number; p99: number; callsPerRequest: number }>;
  /** Latency at each percent 0-100 (the plotted distribution). */
  percentilesMs: number[];
}

export interface Target {
  op: string;
  /** This gateway's RPS over Hive's and over plain Apollo's. */
  overHive: number;
  overApollo: number;
  needOverHive: number;
  needOverApollo?: number;
  errors: number;
  met: boolean;
}

export function summarise(cells: Cell[], ops: Operation[]): { rows: Row[]; targets: Target[] } {
  const rows: Row[] = [];
  for (const op of ops) {
    for (const contender of CONTENDERS) {
      const mine = cells.filter((c) => c.op === op.key && c.contender === contender);
      const ok = mine.reduce((s, c) => s + c.reply.ok, 0);
      const errors = mine.reduce((s, c) => s + c.reply.errors, 0);
      const seconds = mine.reduce((s, c) => s + c.reply.elapsedMs, 0) / 1000;
      const requests = Math.max(1, ok + errors);
      const latencies = mine.flatMap((c) => c.reply.latenciesMs).sort((a, b) => a - b);
      const per = (ms: number) => round(ms / requests, 3);
      const fetches: Record<string, number[]> = {};
      for (const c of mine)
        for (const [s, list] of Object.entries(c.fetchLatenciesMs ?? {}))
          if (list.length) fetches[s] = [...(fetches[s] ?? []), ...list];
      const firstError = mine.find((c) => c.reply.firstError)?.reply.firstError;
      rows.push({
        op: op.key,
        contender,
        requests: ok + errors,
        rps: round(ok / Math.max(seconds, 1e-9)),
        p50: round(quantile(latencies, 0.5), 2),
        p99: round(quantile(latencies, 0.99), 2),
        errors,
        ...(firstError ? { firstError } : {}),
        cpuMsPerRequest: per(mine.reduce((s, c) => s + c.gatewayCpuMs, 0)),
        subgraphCpuMsPerRequest: Object.fromEntries(
          SUBGRAPHS.map((s) => [s, per(mine.reduce((sum, c) => sum + (c.subgraphCpuMs[s] ?? 0), 0))]),
        ),
        databaseCpuMsPerRequest: per(mine.reduce((s, c) => s + c.databaseCpuMs, 0)),
        ...(Object.keys(fetches).length
          ? {
              subgraphLatencyMs: Object.fromEntries(
                Object.entries(fetches).map(([s, list]) => [
                  s,
                  {
                    p50: round(percentile(list, 50), 2),
                    p99: round(percentile(list, 99), 2),
                    callsPerRequest: round(list.length / requests, 2),
                  },
                ]),
              ),
            }
          : {}),
        percentilesMs: Array.from({ length: 101 }, (_, i) => round(quantile(latencies, i / 100), 3)),
      });
    }
  }
  const targets = ops.map((op) => {
    const rps = (c: ContenderKey) => rows.find((r) => r.op === op.key && r.contender === c)!.rps;
    const overHive = round(rps('mesh') / Math.max(rps('hive'), 1e-9), 2);
    const overApollo = round(rps('mesh') / Math.max(rps('apollo'), 1e-9), 2);
    const errors = rows.filter((r) => r.op === op.key).reduce((s, r) => s + r.errors, 0);
    const needOverHive = op.rotating ? 2 : 1;
    const needOverApollo = op.rotating ? 3 : undefined;
    return {
      op: op.key,
      overHive,
      overApollo,
      needOverHive,
      ...(needOverApollo ? { needOverApollo } : {}),
      errors,
      met:
        overHive >= needOverHive &&
        (needOverApollo === undefined || overApollo >= needOverApollo) &&
        errors === 0,
    };
  });
  return { rows, targets };
}
