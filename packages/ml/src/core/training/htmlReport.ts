/** The page every training report is written as: title, summary table, notes and figures (inline SVG). */
export interface HtmlReportPage {
  title: string;
  table: { header: string[]; rows: string[][] };
  notes: string[];
  figures: { svg: string; caption: string }[];
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained HTML page (no scripts or external resources). */
export function htmlReport(page: HtmlReportPage): string {
  const esc = escapeHtml;
  const table = `<table><thead><tr>${page.table.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${page.table.rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(page.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0}figcaption{font-size:13px;color:#555}li{margin:3px 0}
</style></head><body>
<h1>${esc(page.title)}</h1>
${table}
<ul>${page.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<div class="charts">
${page.figures.map((f) => `<figure>${f.svg}<figcaption>${esc(f.caption)}</figcaption></figure>`).join('\n')}
</div>
</body></html>
`;
}
