import { escapeHtml, htmlReport } from '../core/training/htmlReport.js';
/** Inputs of the SASRec training report. */
export interface SasRecReportInput {
  title: string;
  table: { header: string[]; rows: string[][] };
  notes: string[];
  lossCurve: { step: number; loss: number }[];
  /** Validation metrics per evaluated epoch. */
  evaluations: { epoch: number; hr10: number; ndcg10: number }[];
  /** Popularity baseline on validation (drawn as flat dashed lines). */
  baseline?: { hr10: number; ndcg10: number };
  bestEpoch: number;
}

const esc = escapeHtml;

const W = 460;
const H = 300;
const M = { left: 56, right: 14, top: 14, bottom: 40 };

interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  dots?: boolean;
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const pad = (max - min || Math.abs(max) || 1) * 0.05;
  return [min - pad, max + pad];
}

/** An inline SVG line chart with axes, ticks and a legend. */
function chart(xLabel: string, yLabel: string, series: Series[]): string {
  const [x0, x1] = extent(series.flatMap((s) => s.points.map((p) => p[0])));
  const [y0, y1] = extent(series.flatMap((s) => s.points.map((p) => p[1])));
  const sx = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10((y1 - y0) / 5 || 1)) + 1));
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const yv = y0 + ((y1 - y0) * i) / 5;
    const xv = x0 + ((x1 - x0) * i) / 5;
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#eee"/>`,
      `<text x="${M.left - 4}" y="${sy(yv) + 4}" font-size="10" text-anchor="end">${yv.toFixed(decimals)}</text>`,
      `<text x="${sx(xv)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${Math.round(xv)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`);
    parts.push(
      `<path d="${d.join('')}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
    );
    if (s.dots) {
      for (const p of s.points) {
        parts.push(`<circle cx="${sx(p[0])}" cy="${sy(p[1])}" r="2.5" fill="${s.color}"/>`);
      }
    }
    parts.push(
      `<text x="${M.left + 8}" y="${M.top + 12 + i * 13}" font-size="11" fill="${s.color}">${esc(s.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>
${parts.join('\n')}
<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>
<text x="12" y="${(M.top + H - M.bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(M.top + H - M.bottom) / 2})">${esc(yLabel)}</text>
</svg>`;
}

/** A self-contained HTML report (inline SVG, no scripts or external resources). */
export function renderSasRecReport(input: SasRecReportInput): string {
  const loss = chart('training step', 'training loss (mean over ~1/10 epoch)', [
    { name: 'training loss', color: '#1f77b4', points: input.lossCurve.map((p) => [p.step, p.loss]) },
  ]);
  const epochs = input.evaluations.map((e) => e.epoch);
  const flat = (v: number): [number, number][] => [
    [Math.min(...epochs), v],
    [Math.max(...epochs), v],
  ];
  const metrics = chart('epoch', 'validation metric (sampled, 100 negatives)', [
    { name: 'HR@10', color: '#d62728', points: input.evaluations.map((e) => [e.epoch, e.hr10]), dots: true },
    {
      name: 'NDCG@10',
      color: '#2ca02c',
      points: input.evaluations.map((e) => [e.epoch, e.ndcg10]),
      dots: true,
    },
    ...(input.baseline && epochs.length > 0
      ? [
          { name: 'popularity HR@10', color: '#d62728', points: flat(input.baseline.hr10), dashed: true },
          { name: 'popularity NDCG@10', color: '#2ca02c', points: flat(input.baseline.ndcg10), dashed: true },
        ]
      : []),
  ]);
  return htmlReport({
    title: input.title,
    table: input.table,
    notes: input.notes,
    figures: [
      { svg: loss, caption: 'Training loss.' },
      {
        svg: metrics,
        caption: `Validation HR@10 and NDCG@10 per evaluation; the kept checkpoint is epoch ${input.bestEpoch}.`,
      },
    ],
  });
}
