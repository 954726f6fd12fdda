import type { FairnessAudit, ItemGroupReport, UserGroupReport } from './fetchAudit.js';
import { escapeXml as esc, groupSharesSvg, lorenzSvg, selectionRatioSvg } from './svgPlots.js';

const num = (x: number | null, digits = 3) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function itemGroupSection(r: ItemGroupReport): string {
  const name = r.dimension.toLowerCase();
  const shown =
    r.groups.length < r.groupCount ? ` (the ${r.groups.length} most exposed of ${r.groupCount})` : '';
  return [
    `<h3>By ${name}${shown}</h3>`,
    `<p>Disparate exposure (largest exposure/relevance ratio over the smallest): <b>${num(r.disparateExposure, 2)}</b></p>`,
    r.groups.length === 0
      ? '<p>No exposures in the window.</p>'
      : groupSharesSvg(`Exposure and relevance share by ${name}`, r.groups),
    table(
      [name, 'exposures', 'exposure share', 'relevance share', 'ratio'],
      r.groups.map((g) => [
        esc(g.group),
        String(g.exposures),
        num(g.exposureShare),
        num(g.relevanceShare),
        num(g.ratio, 2),
      ]),
    ),
  ].join('\n');
}

function userGroupSection(r: UserGroupReport): string {
  const name = r.dimension.toLowerCase();
  const shown =
    r.groups.length < r.groupCount ? ` (the ${r.groups.length} with most requests of ${r.groupCount})` : '';
  return [
    `<h3>By ${name}${shown}</h3>`,
    `<p>Highest selection rate ${num(r.highestSelectionRate)}; groups below four fifths of it: <b>${r.flagged}</b></p>`,
    r.groups.length === 0
      ? '<p>No ad requests in the range.</p>'
      : selectionRatioSvg(`Four-fifths ratio of ad selection by ${name}`, r.groups),
    table(
      [name, 'requests', 'impressions', 'clicks', 'selection rate', 'four-fifths ratio', 'flag'],
      r.groups.map((g) => [
        esc(g.group),
        String(g.requests),
        String(g.impressions),
        String(g.clicks),
        num(g.selectionRate),
        num(g.fourFifthsRatio, 2),
        g.adverseImpact ? '<b class="flag">below 0.8</b>' : '',
      ]),
    ),
  ].join('\n');
}

/** The audit as one self-contained HTML page (inline SVG and CSS, nothing fetched). */
export function renderAuditPage(a: FairnessAudit): string {
  const e = a.exposure;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>attention-mesh exposure fairness audit</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 880px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.flag { color: #b00020; }
.meta { color: #666; font-size: 13px; }
</style></head><body>
<h1>Exposure fairness audit</h1>
<p class="meta">Read through ${esc(a.gatewayUrl)} at ${esc(a.generatedAt)}. Ads delivery from ${esc(a.from)} to ${esc(a.to)}.</p>
<h2>Recommendation exposure</h2>
<p>The last ${e.window} served recommendation edges (the exposure-fairness window): ${e.totalExposures}
exposures of ${e.itemsExposed} of ${e.catalogueSize} catalogue items. Gini of item exposure
<b>${num(e.gini)}</b>; the most exposed item holds ${num(e.maxShare * 100, 1)} % of the window (cap
${num(e.cap * 100, 1)} %).</p>
${lorenzSvg(e.lorenzCurve, e.gini)}
<p>Per group, exposure is the sum of 1/log2(1+rank) over the group's served edges and relevance the sum of
the model's relevance estimates of those slots in [0, 1]; a ratio of exposure share to relevance share
above 1 means the group gets more attention than its relevance earns (Singh &amp; Joachims, KDD 2018).</p>
${a.itemGroups.map(itemGroupSection).join('\n')}
<h2>Ads delivery by user group</h2>
<p>Selection rate = impressions / ad requests of the group; the four-fifths ratio is a group's rate over
the highest group's, flagged under 0.8 (the four-fifths rule of adverse impact).</p>
${a.userGroups.map(userGroupSection).join('\n')}
</body></html>
`;
}
