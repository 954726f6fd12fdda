import { escapeHtml, htmlReport } from './htmlReport.js';
import type { CalibrationBin, RocPoint } from './metrics.js';

export interface ReportSeries {
  name: string;
  color: string;
}

/** What the report of a binary classifier (engagement, CTR) draws: loss, validation, ROC and reliability. */
export interface ClassifierReportInput {
  title: string;
  /** Rows of the summary table: label and cells. */
  table: { header: string[]; rows: string[][] };
  notes: string[];
  lossCurve: { step: number; loss: number; epochMean?: number }[];
  validationCurves: { name: string; logLoss: number[] }[];
  roc: (ReportSeries & { points: RocPoint[] })[];
  calibration: (ReportSeries & { bins: CalibrationBin[] })[];
  /** Figure captions: each model's protocol words them. */
  captions: Record<'loss' | 'validation' | 'roc' | 'calibration', string>;
}

const esc = escapeHtml;

const W = 420;
const H = 300;
const M = { left: 56, right: 14, top: 14, bottom: 40 };

interface Axis {
  min: number;
  max: number;
  label: string;
  /** Integer ticks only (e.g. epochs). */
  integer?: boolean;
}

function ticks(a: Axis, n = 5): number[] {
  if (a.integer) {
    const step = Math.max(1, Math.ceil((a.max - a.min) / n));
    const out: number[] = [];
    for (let v = Math.ceil(a.min); v <= a.max; v += step) out.push(v);
    return out;
  }
  return Array.from({ length: n + 1 }, (_, i) => a.min + ((a.max - a.min) * i) / n);
}

/** Enough decimals to tell the ticks of an axis apart. */
function tickFormat(a: Axis): (v: number) => string {
  if (a.integer) return (v) => v.toFixed(0);
  const step = (a.max - a.min) / 5 || 1;
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)) + 1));
  return (v) => v.toFixed(decimals);
}

/** An SVG line chart: each series is a list of [x, y] points. */
function chart(
  x: Axis,
  y: Axis,
  series: { name: string; color: string; points: [number, number][]; dashed?: boolean; dots?: boolean }[],
): string {
  const sx = (v: number) => M.left + ((v - x.min) / (x.max - x.min || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y.min) / (y.max - y.min || 1)) * (H - M.top - M.bottom);
  const fx = tickFormat(x);
  const fy = tickFormat(y);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`);
  for (const t of ticks(x)) {
    parts.push(
      `<line x1="${sx(t)}" y1="${H - M.bottom}" x2="${sx(t)}" y2="${M.top}" stroke="#eee"/>`,
      `<text x="${sx(t)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${fx(t)}</text>`,
    );
  }
  for (const t of ticks(y)) {
    parts.push(
      `<line x1="${M.left}" y1="${sy(t)}" x2="${W - M.right}" y2="${sy(t)}" stroke="#eee"/>`,
      `<text x="${M.left - 4}" y="${sy(t) + 3}" font-size="10" text-anchor="end">${fy(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(x.label)}</text>`,
    `<text x="12" y="${(M.top + H - M.bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(M.top + H - M.bottom) / 2})">${esc(y.label)}</text>`,
  );
  series.forEach((s, i) => {
    const d = s.points
      .map(([px, py], k) => `${k ? 'L' : 'M'}${sx(px).toFixed(1)},${sy(py).toFixed(1)}`)
      .join('');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    if (s.dots) {
      for (const [px, py] of s.points) {
        parts.push(`<circle cx="${sx(px).toFixed(1)}" cy="${sy(py).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
      }
    }
    parts.push(
      `<rect x="${M.left + 8}" y="${M.top + 8 + i * 14}" width="10" height="3" fill="${s.color}"/>`,
      `<text x="${M.left + 22}" y="${M.top + 12 + i * 14}" font-size="10">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function extent(values: number[], pad = 0.05): { min: number; max: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: 0, max: 1 };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || Math.abs(max) || 1;
  return { min: min - span * pad, max: max + span * pad };
}

/** A self-contained HTML report (inline SVG, no scripts or external resources). */
export function renderClassifierReport(input: ClassifierReportInput): string {
  const loss = chart(
    { min: 0, max: Math.max(1, ...input.lossCurve.map((p) => p.step)), label: 'training step' },
    { ...extent(input.lossCurve.map((p) => p.loss)), label: 'training loss (mean over the last steps)' },
    [
      {
        name: 'mean of the batches between points',
        color: '#9ecae1',
        points: input.lossCurve.map((p) => [p.step, p.loss]),
      },
      {
        name: 'running mean of the epoch',
        color: '#1f77b4',
        points: input.lossCurve
          .filter((p) => p.epochMean !== undefined)
          .map((p) => [p.step, p.epochMean!] as [number, number]),
      },
    ],
  );
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const validation = chart(
    {
      min: 1,
      max: Math.max(2, ...input.validationCurves.map((c) => c.logLoss.length)),
      label: 'epoch',
      integer: true,
    },
    { ...extent(input.validationCurves.flatMap((c) => c.logLoss)), label: 'mean validation log-loss' },
    input.validationCurves.map((c, i) => ({
      name: c.name,
      color: palette[i % palette.length]!,
      points: c.logLoss.map((v, e) => [e + 1, v] as [number, number]),
      dots: true,
    })),
  );
  const roc = chart(
    { min: 0, max: 1, label: 'false positive rate' },
    { min: 0, max: 1, label: 'true positive rate' },
    [
      ...input.roc.map((s) => ({
        name: s.name,
        color: s.color,
        points: s.points.map((p) => [p.fpr, p.tpr] as [number, number]),
      })),
      {
        name: 'chance',
        color: '#aaa',
        points: [
          [0, 0],
          [1, 1],
        ],
        dashed: true,
      },
    ],
  );
  const maxP = Math.max(
    0.01,
    ...input.calibration.flatMap((s) => s.bins.flatMap((b) => [b.predicted, b.observed])),
  );
  const calibration = chart(
    { min: 0, max: maxP * 1.05, label: 'mean predicted probability (decile)' },
    { min: 0, max: maxP * 1.05, label: 'observed rate' },
    [
      ...input.calibration.map((s) => ({
        name: s.name,
        color: s.color,
        points: s.bins.map((b) => [b.predicted, b.observed] as [number, number]),
        dots: true,
      })),
      {
        name: 'perfect calibration',
        color: '#aaa',
        points: [
          [0, 0],
          [maxP, maxP],
        ],
        dashed: true,
      },
    ],
  );
  const { captions } = input;
  return htmlReport({
    title: input.title,
    table: input.table,
    notes: input.notes,
    figures: [
      { svg: loss, caption: captions.loss },
      { svg: validation, caption: captions.validation },
      { svg: roc, caption: captions.roc },
      { svg: calibration, caption: captions.calibration },
    ],
  });
}
