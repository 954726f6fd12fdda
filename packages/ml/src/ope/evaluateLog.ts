import { createRng } from '../core/random.js';
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
export const DEFAULT_REC_POLICIES = ['greedy', 'epsilon:0.1', 'by-score'];

export interface LogEvaluationOptions extends EstimatorOptions {
  /** Ads: only decisions that were shown (an impression or a click) count. Default true. */
  shownOnly?: boolean;
  /** Intervals: `normal` (delta method, default) or `bootstrap` (percentile, over decisions). */
  ci?: 'normal' | 'bootstrap';
  bootstrapReps?: number;
  seed?: number;
  /** Progress of the bootstrap: called after each resample of each policy. */
  onProgress?: (policy: string, rep: number, reps: number) => void;
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

const NAMES = ['ips', 'snips', 'dr', 'dm'] as const;

/** Percentile bootstrap intervals of the four estimators from one resampling of the units. */
function withBootstrap(
  policy: string,
  units: OpeUnit[],
  report: OpeReport,
  o: LogEvaluationOptions,
): OpeReport {
  if (o.ci !== 'bootstrap') return report;
  const reps = o.bootstrapReps ?? 200;
  const level = o.level ?? 0.95;
  const rng = createRng(o.seed ?? 1);
  const values = NAMES.map(() => [] as number[]);
  const sample: OpeUnit[] = new Array(units.length);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[rng.int(units.length)]!;
    const e = evaluatePolicy(sample, o).estimates;
    NAMES.forEach((name, k) => {
      if (Number.isFinite(e[name].value)) values[k]!.push(e[name].value);
    });
    o.onProgress?.(policy, r + 1, reps);
  }
  const estimates = { ...report.estimates };
  NAMES.forEach((name, k) => {
    const v = values[k]!.sort((a, b) => a - b);
    if (v.length < 2) return;
    const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.floor(p * v.length)))]!;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    estimates[name] = {
      ...report.estimates[name],
      se,
      lower: q((1 - level) / 2),
      upper: q(1 - (1 - level) / 2),
    };
  });
  return { ...report, estimates };
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
    return { policy, report: withBootstrap(policy, units, evaluatePolicy(units, options), options) };
  });
  return { kind, decisions: n, slots: rows[0]!.report.slots, observed: rows[0]!.report.observed, rows };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(3)}%` : 'n/a');
const ci = (e: Estimate) => `${pct(e.value)} [${pct(e.lower)}, ${pct(e.upper)}]`;

/** The evaluation as a plain text table (first column left-aligned). */
export function formatEvaluation(e: LogEvaluation, level = 0.95): string {
  const header = ['policy', 'IPS', 'SNIPS', 'DR', 'DM', 'ESS', 'mean w', 'max w', 'support'];
  const rows = e.rows.map(({ policy, report: r }) => [
    policy,
    ci(r.estimates.ips),
    ci(r.estimates.snips),
    ci(r.estimates.dr),
    pct(r.estimates.dm.value),
    Math.round(r.ess).toLocaleString('en-US'),
    r.meanWeight.toFixed(3),
    r.maxWeight.toFixed(1),
    `${(100 * (1 - r.unsupported)).toFixed(1)}%`,
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
