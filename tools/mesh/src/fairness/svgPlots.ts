/**
 * The audit page's plots as inline SVG strings, drawn by hand: the report needs three small charts and
 * no plotting dependency. Every label goes through `escapeXml`, since group names (providers, segments)
 * are data.
 */

/** Text made safe inside SVG and HTML elements and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const W = 640;
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/**
 * The Lorenz curve of item exposure: `curve[i - 1]` is the exposure share of the least-exposed i/n of
 * the catalogue (n = curve.length); the diagonal is equal exposure, the area between them is Gini / 2.
 */
export function lorenzSvg(curve: readonly number[], gini: number): string {
  const size = 360;
  const pad = 44;
  const plot = size - 2 * pad;
  const x = (f: number) => pad + f * plot;
  const y = (f: number) => size - pad - f * plot;
  const pts = [[0, 0], ...curve.map((v, i) => [(i + 1) / curve.length, v])] as [number, number][];
  const path = pts.map(([px, py], i) => `${i ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
  const area = `${path} L${x(1)},${y(0)} Z`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${size - pad + 16}" text-anchor="middle">${t}</text>` +
        `<text x="${pad - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" ${FONT} role="img" aria-label="Lorenz curve of item exposure, Gini ${fmt(gini)}">`,
    `<rect x="${pad}" y="${pad}" width="${plot}" height="${plot}" fill="none" stroke="#ccc"/>`,
    `<path d="M${x(0)},${y(0)} L${x(1)},${y(1)}" stroke="#888" stroke-dasharray="4 3" fill="none"/>`,
    `<path d="${area}" fill="#e8743b" fill-opacity="0.15" stroke="none"/>`,
    `<path d="${path}" stroke="#e8743b" stroke-width="2" fill="none"/>`,
    ticks,
    `<text x="${size / 2}" y="${size - 8}" text-anchor="middle">share of catalogue items (least exposed first)</text>`,
    `<text x="12" y="${size / 2}" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">share of exposure</text>`,
    `<text x="${pad + 8}" y="${pad + 18}">Gini ${fmt(gini)}</text>`,
    '</svg>',
  ].join('');
}

/** Horizontal grouped bars, one row per group, values in [0, max]; an optional vertical rule (e.g. 0.8). */
function barsSvg(
  label: string,
  rows: readonly {
    name: string;
    bars: readonly { value: number | null; color: string }[];
    note?: string;
    alert?: boolean;
  }[],
  opts: { max: number; rule?: number; legend: readonly { text: string; color: string }[] },
): string {
  const left = 170;
  const right = 110;
  const barH = 12;
  const rowH = barH * Math.max(1, rows[0]?.bars.length ?? 1) + 10;
  const top = 34;
  const height = top + rows.length * rowH + 30;
  const plot = W - left - right;
  const x = (v: number) => left + (Math.min(Math.max(v, 0), opts.max) / opts.max) * plot;
  const body = rows
    .map((r, i) => {
      const y0 = top + i * rowH;
      const bars = r.bars
        .map((b, k) => {
          const y = y0 + k * barH;
          if (b.value === null) return `<text x="${left + 4}" y="${y + barH - 2}" fill="#888">n/a</text>`;
          return (
            `<rect x="${left}" y="${y}" width="${(x(b.value) - left).toFixed(1)}" height="${barH - 2}" fill="${b.color}"/>` +
            `<text x="${(x(b.value) + 4).toFixed(1)}" y="${y + barH - 2}">${fmt(b.value)}</text>`
          );
        })
        .join('');
      const name = r.name.length > 24 ? `${r.name.slice(0, 23)}…` : r.name;
      const note = r.note
        ? `<text x="${W - 4}" y="${y0 + barH}" text-anchor="end" fill="${r.alert ? '#b00020' : '#555'}">${escapeXml(r.note)}</text>`
        : '';
      return `<text x="${left - 8}" y="${y0 + barH}" text-anchor="end">${escapeXml(name)}</text>${bars}${note}`;
    })
    .join('');
  const rule =
    opts.rule === undefined
      ? ''
      : `<path d="M${x(opts.rule)},${top - 6} L${x(opts.rule)},${height - 24}" stroke="#b00020" stroke-dasharray="4 3"/>` +
        `<text x="${x(opts.rule)}" y="${height - 10}" text-anchor="middle" fill="#b00020">${opts.rule}</text>`;
  const legend = opts.legend
    .map(
      (l, i) =>
        `<rect x="${left + i * 150}" y="8" width="10" height="10" fill="${l.color}"/>` +
        `<text x="${left + i * 150 + 14}" y="17">${escapeXml(l.text)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT} role="img" aria-label="${escapeXml(label)}">`,
    legend,
    body,
    rule,
    '</svg>',
  ].join('');
}

/** An item group's exposure and relevance shares (from `recommendationExposure.byGroup`). */
export interface GroupShares {
  group: string;
  exposureShare: number;
  relevanceShare: number;
  ratio: number | null;
}

/** Exposure share against relevance share per item group (bars side by side). */
export function groupSharesSvg(title: string, groups: readonly GroupShares[]): string {
  const max = Math.max(0.05, ...groups.flatMap((g) => [g.exposureShare, g.relevanceShare]));
  return barsSvg(
    title,
    groups.map((g) => ({
      name: g.group,
      bars: [
        { value: g.exposureShare, color: '#3b7dd8' },
        { value: g.relevanceShare, color: '#9bbf4c' },
      ],
      note: g.ratio === null ? 'no relevance' : `ratio ${fmt(g.ratio, 2)}`,
    })),
    {
      max: Math.min(1, max * 1.1),
      legend: [
        { text: 'exposure share', color: '#3b7dd8' },
        { text: 'relevance share', color: '#9bbf4c' },
      ],
    },
  );
}

/** A user group's ad delivery (from the ads report): selection rate and its four-fifths ratio. */
export interface GroupSelection {
  group: string;
  selectionRate: number | null;
  fourFifthsRatio: number | null;
  /** fourFifthsRatio under 0.8. */
  adverseImpact: boolean;
}

/** The four-fifths ratio per user group (group rate / highest rate) with the 0.8 line. */
export function selectionRatioSvg(title: string, groups: readonly GroupSelection[]): string {
  return barsSvg(
    title,
    groups.map((g) => ({
      name: g.group,
      bars: [{ value: g.fourFifthsRatio, color: g.adverseImpact ? '#b00020' : '#3b7dd8' }],
      alert: g.adverseImpact,
      note: g.adverseImpact
        ? 'below 4/5'
        : g.selectionRate === null
          ? 'no requests'
          : `rate ${fmt(g.selectionRate)}`,
    })),
    { max: 1, rule: 0.8, legend: [{ text: 'selection rate / highest group rate', color: '#3b7dd8' }] },
  );
}
