import { bootstrap } from './bootstrap.js';
import {
  type Estimate,
  type EstimatorOptions,
  evaluatePolicy,
  type OpeReport,
  type OpeUnit,
} from './estimators.js';
import { adUnit, positionBaseline, recUnit } from './policies.js';
import type { AdDecisionRecord, DecisionRecord, RecDecisionRecord } from './records.js';

export const DEFAULT_AD_POLICIES = ['greedy-ecpm', 'greedy-ctr', 'uniform', 'egreedy-ecpm:0.1'];
export const DEFAULT_REC_POLICIES = ['greedy', 'by-score', 'epsilon:0.1'];

export interface LogEvaluationOptions extends EstimatorOptions {
  /** Ads: only decisions that were shown (an impression or a click) count. Default true. */
  shownOnly?: boolean;
  /** Intervals: `normal` (delta method, default) or `bootstrap` (percentile, over decisions). */
  ci?: 'normal' | 'bootstrap';
  bootstrapReps?: number;
  seed?: number;
}

export interface PolicyRow {
  policy: string;
  report: OpeReport;
}

export interface LogEvaluation {
  kind: 'ad' | 'rec';
  decisions: number;
  slots: number;
  /** What the logging policy achieved: rewards per slot. */
  observed: Estimate;
  rows: PolicyRow[];
}

function withBootstrap(units: OpeUnit[], report: OpeReport, o: LogEvaluationOptions): OpeReport {
  if (o.ci !== 'bootstrap') return report;
  const est = { ...report.estimates };
  for (const name of ['ips', 'snips', 'dr', 'dm'] as const) {
    const e = report.estimates[name];
    const fn = (u: readonly OpeUnit[]) => evaluatePolicy(u, o).estimates[name];
    est[name] = bootstrap(units, fn, { reps: o.bootstrapReps ?? 200, level: o.level, seed: o.seed ?? 1 });
    est[name].value = e.value;
  }
  return { ...report, estimates: est };
}

/** Every policy on the decisions of one kind; `logging` first (its estimates must equal the observed CTR). */
export function evaluateLog(
  records: readonly DecisionRecord[],
  kind: 'ad' | 'rec',
  policies: readonly string[],
  options: LogEvaluationOptions = {},
): LogEvaluation {
  const names = ['logging', ...policies.filter((p) => p !== 'logging')];
  let unitsOf: (policy: string) => OpeUnit[];
  let n: number;
  if (kind === 'ad') {
    const ads = records.filter(
      (r): r is AdDecisionRecord => r.kind === 'ad' && (options.shownOnly === false || r.shown),
    );
    n = ads.length;
    unitsOf = (policy) => ads.map((r) => adUnit(policy, r));
  } else {
    const recs = records.filter((r): r is RecDecisionRecord => r.kind === 'rec');
    const baseline = positionBaseline(recs);
    n = recs.length;
    unitsOf = (policy) => recs.map((r) => recUnit(policy, r, baseline));
  }
  const rows = names.map((policy) => {
    const units = unitsOf(policy);
    return { policy, report: withBootstrap(units, evaluatePolicy(units, options), options) };
  });
  return { kind, decisions: n, slots: rows[0]!.report.slots, observed: rows[0]!.report.observed, rows };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(3)}%` : 'n/a');
const ci = (e: Estimate) => `${pct(e.value)} [${pct(e.lower)}, ${pct(e.upper)}]`;

/** The evaluation as a plain text table (first column left-aligned). */
export function formatEvaluation(e: LogEvaluation, level = 0.95): string {
  const header = ['policy', 'IPS', 'SNIPS', 'DR', 'DM', 'ESS', 'mean w', 'max w'];
  const rows = e.rows.map(({ policy, report: r }) => [
    policy,
    ci(r.estimates.ips),
    ci(r.estimates.snips),
    ci(r.estimates.dr),
    pct(r.estimates.dm.value),
    Math.round(r.ess).toLocaleString('en-US'),
    r.meanWeight.toFixed(3),
    r.maxWeight.toFixed(1),
  ]);
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  const what =
    e.kind === 'ad' ? 'ad decisions (CTR per shown decision)' : 'recommendation pages (reward per position)';
  return [
    `${e.decisions.toLocaleString('en-US')} ${what}, ${e.slots.toLocaleString('en-US')} slots`,
    `logging policy observed: ${ci(e.observed)}   (${Math.round(level * 100)}% intervals)`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
