/** The gateway benchmark's tables (stdout) and its latency plot (bench/results/gateway.html, inline SVG). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, table } from '../shared/output.js';
import { resultsDir } from '../shared/repo.js';
import { SUBGRAPHS } from '../shared/subgraphs.js';
import type { BackendKey } from './backends.js';
import { CONTENDER_LABELS, CONTENDERS, type ContenderKey } from './contenders.js';
import type { Row, Target } from './gatewayCells.js';
import type { Operation } from './gatewayOperations.js';

export interface BackendResult {
  backend: BackendKey;
  databaseKind?: string;
  checks: Record<string, { same: boolean; errors: string[] }>;
  peakRssBytes: Record<string, number>;
  rows: Row[];
  targets: Target[];
}

const BACKEND_LABELS: Record<BackendKey, string> = {
  lean: 'lean in-memory subgraphs (the gateway is the bottleneck)',
  real: "the mesh's real subgraphs on the embedded database, demo world",
};

const three = (values: (string | number)[]) => values.join(' / ');

function row(result: BackendResult, op: string, c: ContenderKey): Row {
  return result.rows.find((r) => r.op === op && r.contender === c)!;
}

export function printBackend(
  result: BackendResult,
  ops: Operation[],
  args: { rounds: number; seconds: number; connections: number; workers: number },
): string {
  const each = (op: string, f: (r: Row) => string | number) =>
    three(CONTENDERS.map((c) => f(row(result, op, c))));
  const lean = result.backend === 'lean';
  const main = table(
    [
      'operation',
      'RPS',
      'p50 ms',
      'p99 ms',
      'errors',
      'gateway CPU ms/req',
      'same data',
      '× Hive',
      '× plain',
      ...(lean ? ['target', 'met'] : []),
    ],
    ops.map((op) => {
      const t = result.targets.find((x) => x.op === op.key)!;
      return [
        op.label,
        each(op.key, (r) => fmt(r.rps)),
        each(op.key, (r) => r.p50.toFixed(1)),
        each(op.key, (r) => r.p99.toFixed(1)),
        each(op.key, (r) => r.errors),
        each(op.key, (r) => r.cpuMsPerRequest.toFixed(2)),
        result.checks[op.key]?.same ? 'yes' : 'NO',
        t.overHive.toFixed(2),
        t.overApollo.toFixed(2),
        ...(lean
          ? [
              `≥ ${t.needOverHive}× Hive${t.needOverApollo ? `, ≥ ${t.needOverApollo}× plain` : ''}, 0 errors`,
              t.met ? 'met' : 'missed',
            ]
          : []),
      ];
    }),
  );
  const mib = (c: string) => (result.peakRssBytes[c]! / 2 ** 20).toFixed(0);
  let out =
    `\n${BACKEND_LABELS[result.backend]}: ${three(CONTENDERS.map((c) => CONTENDER_LABELS[c]))} side by side\n` +
    `(${args.connections} connections, ${args.rounds} round(s) of ${args.seconds} s per operation and gateway, interleaved; ` +
    `${args.workers} worker(s) each; gateway CPU from /proc, process and workers)\n\n${main}\n\n` +
    `peak RSS: ${three(CONTENDERS.map((c) => `${mib(c)} MiB`))}\n`;
  const firstErrors = result.rows.filter((r) => r.firstError);
  for (const r of firstErrors)
    out += `first error, ${r.op} on ${CONTENDER_LABELS[r.contender]}: ${r.firstError}\n`;
  for (const [op, check] of Object.entries(result.checks))
    if (check.errors.length) out += `data check, ${op}: ${check.errors[0]}\n`;
  if (lean) return out;

  out += `\nWhere the time goes (CPU ms per request of each process; database: ${result.databaseKind ?? '?'}):\n\n`;
  out += table(
    ['operation / gateway', 'gateway', ...SUBGRAPHS, 'database'],
    ops.flatMap((op) =>
      CONTENDERS.map((c) => {
        const r = row(result, op.key, c);
        return [
          `${op.key} / ${c}`,
          r.cpuMsPerRequest.toFixed(2),
          ...SUBGRAPHS.map((s) => (r.subgraphCpuMsPerRequest[s] ?? 0).toFixed(2)),
          r.databaseCpuMsPerRequest.toFixed(2),
        ];
      }),
    ),
  );
  out += '\n\nSubgraph call latency seen from plain @apollo/gateway, p50 / p99 ms (calls per request):\n\n';
  out += table(
    ['operation', ...SUBGRAPHS],
    ops.map((op) => {
      const lat = row(result, op.key, 'apollo').subgraphLatencyMs ?? {};
      return [
        op.key,
        ...SUBGRAPHS.map((s) =>
          lat[s] ? `${lat[s].p50.toFixed(1)} / ${lat[s].p99.toFixed(1)} (${lat[s].callsPerRequest})` : '-',
        ),
      ];
    }),
  );
  return `${out}\n`;
}

const COLORS: Record<ContenderKey, string> = { mesh: '#1f77b4', hive: '#ff7f0e', apollo: '#2ca02c' };

/** One chart: each gateway's latency distribution (percentile against latency, log scale). */
function chart(result: BackendResult, op: Operation): string {
  const w = 420;
  const h = 240;
  const pad = { l: 44, r: 10, t: 24, b: 34 };
  const series = CONTENDERS.map((c) => ({ c, p: row(result, op.key, c).percentilesMs }));
  const values = series.flatMap((s) => s.p).filter((v) => Number.isFinite(v) && v > 0);
  if (!values.length) return '';
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const x = (v: number) =>
    pad.l + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / Math.max(hi - lo, 1e-9)) * (w - pad.l - pad.r);
  const y = (p: number) => h - pad.b - (p / 100) * (h - pad.t - pad.b);
  const lines = series
    .map(
      (s) =>
        `<polyline fill="none" stroke="${COLORS[s.c]}" stroke-width="1.5" points="${s.p
          .map((v, i) => `${x(v).toFixed(1)},${y(i).toFixed(1)}`)
          .join(' ')}"/>`,
    )
    .join('');
  const ticks: string[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) < lo || Math.log10(v) > hi) continue;
      ticks.push(
        `<line x1="${x(v)}" x2="${x(v)}" y1="${pad.t}" y2="${h - pad.b}" stroke="#eee"/><text x="${x(v)}" y="${h - pad.b + 14}" font-size="10" text-anchor="middle">${v}</text>`,
      );
    }
  const yTicks = [0, 50, 90, 99]
    .map((p) => `<text x="${pad.l - 4}" y="${y(p) + 3}" font-size="10" text-anchor="end">p${p}</text>`)
    .join('');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" style="margin:4px;border:1px solid #ddd"><text x="${pad.l}" y="14" font-size="11">${esc(op.label)}</text>${ticks.join('')}${yTicks}${lines}<text x="${w / 2}" y="${h - 4}" font-size="10" text-anchor="middle">latency, ms (log)</text></svg>`;
}

/** bench/results/gateway.html: one chart per operation and back end; returns its path. */
export function writeHtml(results: BackendResult[], ops: Operation[]): string {
  const legend = CONTENDERS.map(
    (c) => `<span style="color:${COLORS[c]};margin-right:1em">■ ${CONTENDER_LABELS[c]}</span>`,
  ).join('');
  const sections = results
    .map((r) => `<h2>${BACKEND_LABELS[r.backend]}</h2><div>${ops.map((op) => chart(r, op)).join('')}</div>`)
    .join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Gateway benchmark: latency distributions</title></head><body style="font-family:sans-serif"><h1>Gateway benchmark: latency distributions</h1><p>Each curve: the share of requests (percentile) answered within a latency. ${legend}</p>${sections}</body></html>\n`;
  const path = join(resultsDir(), 'gateway.html');
  writeFileSync(path, html);
  return path;
}
