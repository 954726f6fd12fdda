/** A small SVG line chart for the benchmark reports (no dependencies). */
export interface Series {
  name: string;
  color: string;
  values: readonly number[];
  dashed?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lineChart(
  title: string,
  yLabel: string,
  series: readonly Series[],
  width = 560,
  height = 260,
): string {
  const pad = { l: 64, r: 12, t: 28, b: 36 };
  const n = Math.max(...series.map((s) => s.values.length));
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values)) * 1.05;
  const x = (i: number) => pad.l + (i / Math.max(1, n - 1)) * (width - pad.l - pad.r);
  const y = (v: number) => height - pad.b - (v / max) * (height - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${pad.l}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    ...ticks.map(
      (t) =>
        `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>` +
        `<text x="${pad.l - 4}" y="${y(t) + 4}" text-anchor="end">${t >= 100 ? t.toFixed(0) : t.toFixed(2)}</text>`,
    ),
    ...Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? `<text x="${x(i)}" y="${height - pad.b + 14}" text-anchor="middle">${i}</text>` : '',
    ),
    `<text x="${(pad.l + width) / 2}" y="${height - 4}" text-anchor="middle">hour of day (UTC)</text>`,
    `<text x="12" y="${(pad.t + height - pad.b) / 2}" transform="rotate(-90 12 ${(pad.t + height - pad.b) / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
    ...series.map(
      (s) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${s.values
          .map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
          .join(' ')}"/>`,
    ),
    ...series.map(
      (s, i) =>
        `<rect x="${width - pad.r - 150}" y="${pad.t + i * 15 - 9}" width="10" height="10" fill="${s.color}"/>` +
        `<text x="${width - pad.r - 136}" y="${pad.t + i * 15}">${esc(s.name)}</text>`,
    ),
    '</svg>',
  ];
  return parts.join('\n');
}
