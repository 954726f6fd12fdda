/**
 * The pacing simulator: 24 hours of diurnal traffic (seeded), many competing campaigns, the full
 * decision per request, clicks drawn from each ad's true CTR, and each EVEN campaign's pacing controller
 * stepped every minute with its spend, against the same traffic with no pacing (ASAP), in the same run.
 * Per campaign: budget utilisation, RMSE of hourly spend against its target curve (% of the mean hourly
 * target), when its budget ran out, clicks and eCPC. Writes bench/results/ads-pacing.{json,html}.
 *
 * The default day is sized like real display campaigns: every budget is worth hundreds of its largest
 * charge and every campaign is charged tens to hundreds of times an hour. `--tiny-budgets` runs the earlier,
 * smaller day (500,000 requests, CTR around 1 %, half the campaigns CPC), where many budgets are a few
 * clicks: a pacing controller cannot follow a 24-point curve with those, whatever it does.
 *
 *   npm run bench:ads-pacing -- [--requests 2000000] [--campaigns 50] [--ctr-median 0.025] [--cpc-every 4] [--budget-scale 0.9] [--calibration-pass 0.15] [--strategy THROTTLE] [--seed 1] [--tiny-budgets]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decision, fmt, resultsDir, table } from './common.js';
import { type CampaignResult, simulate as simulateDay } from './pacingSimulation.js';
import { generatePacingMarket, TRAFFIC } from './pacingWorld.js';
import { lineChart } from './svgChart.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string' },
    campaigns: { type: 'string', default: '50' },
    'ctr-median': { type: 'string' },
    'cpc-every': { type: 'string' },
    'tiny-budgets': { type: 'boolean', default: false },
    'any-device': { type: 'boolean', default: false },
    'budget-scale': { type: 'string', default: '0.9' },
    'calibration-pass': { type: 'string', default: '0.15' },
    strategy: { type: 'string', default: 'THROTTLE' },
    smoothing: { type: 'string' },
    'catch-up': { type: 'string' },
    'warmup-days': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npm run bench:ads-pacing -- [--requests 2000000] [--campaigns 50] [--ctr-median 0.025] [--cpc-every 4] [--budget-scale 0.9] [--calibration-pass 0.15] [--strategy THROTTLE|SHADE] [--smoothing 0.1] [--catch-up 5] [--warmup-days 0] [--seed 1] [--tiny-budgets] [--any-device]\n' +
      '  --tiny-budgets: the earlier small day (defaults 500000 requests, CTR median 0.01, every 2nd campaign CPC)\n' +
      "  --any-device: drop every campaign's device restriction (fewer small campaigns, more of them spending to the end of the day)",
  );
  process.exit(0);
}
const seed = Number(args.seed);
const strategy = args.strategy === 'SHADE' ? 'SHADE' : 'THROTTLE';

const tiny = args['tiny-budgets'];
const world = {
  requests: Number(args.requests ?? (tiny ? 500_000 : 2_000_000)),
  ctrMedian: Number(args['ctr-median'] ?? (tiny ? 0.01 : 0.025)),
  cpcEvery: Number(args['cpc-every'] ?? (tiny ? 2 : 4)),
  broadCpc: !tiny,
  anyDevice: args['any-device'],
  minCtrFactor: tiny ? 0.2 : 0.5,
};
const market = generatePacingMarket({ ...world, campaigns: Number(args.campaigns), seed });
const curve = decision.pacingCurve(TRAFFIC, 'EVEN');
const setup = {
  market,
  curve,
  seed,
  warmupDays: Number(args['warmup-days']),
  pacing: {
    strategy,
    smoothing: args.smoothing === undefined ? undefined : Number(args.smoothing),
    catchUpMinutes: args['catch-up'] === undefined ? undefined : Number(args['catch-up']),
  } as const,
};
const simulate = (mode: 'EVEN' | 'ASAP', fixedPassRate?: number) => simulateDay(setup, mode, fixedPassRate);

/**
 * Daily budgets that the market can deliver: a calibration day in which every campaign takes part in
 * auctions with the same probability `--calibration-pass` and has no budget shows what each one can win;
 * its budget is `--budget-scale` times that. Unpaced (ASAP), each then could spend its budget within the
 * first hours of the day; paced, the budgets are reachable by construction (a uniform throttle reached
 * more than all of them).
 */
process.stderr.write(
  `calibrating budgets on ${fmt(market.requests.length)} requests, ${market.campaigns.length} campaigns…\n`,
);
const calibration = simulate('EVEN', Number(args['calibration-pass']));
for (const [i, c] of market.campaigns.entries()) {
  c.dailyBudgetMicros = Math.max(
    100_000,
    Math.round(Number(args['budget-scale']) * calibration.results[i]!.spent),
  );
}
process.stderr.write(`EVEN (${strategy})…\n`);
const even = simulate('EVEN');
process.stderr.write(`EVEN done in ${fmt(even.ms / 1000, 1)} s; ASAP…\n`);
const asap = simulate('ASAP');
process.stderr.write(`ASAP done in ${fmt(asap.ms / 1000, 1)} s\n`);

function metrics(r: CampaignResult) {
  const target = curve.map((w) => w * r.budget);
  const rmse = Math.sqrt(r.hourly.reduce((a, s, h) => a + (s - target[h]!) ** 2, 0) / 24);
  return {
    utilisation: r.spent / r.budget,
    rmsePct: (100 * rmse) / (r.budget / 24),
    overspendPct: (100 * Math.max(0, r.spent - r.budget)) / r.budget,
    ranOut: r.ranOutAt === null ? '—' : new Date(r.ranOutAt).toISOString().slice(11, 16),
    clicks: r.clicks,
    ecpc: r.clicks > 0 ? r.spent / r.clicks : Number.NaN,
    /** Charge events (impressions for CPM, clicks for CPC) per hour: with n an hour, counting noise alone
     * puts about 1/√n on the hourly spend. */
    chargesPerHour: (r.bidType === 'CPM' ? r.impressions : r.clicks) / 24,
  };
}

const rows = even.results.map((e, i) => {
  const a = asap.results[i]!;
  const c = market.campaigns[i]!;
  const maxCharge = c.bidType === 'CPM' ? Math.max(1, Math.floor(c.bidMicros / 1000)) : c.bidMicros;
  // The decision never lets a charge exceed the remaining budget, so up to one largest charge stays
  // unspent: 98 % is reachable only for budgets of 50 such charges or more.
  const roomy = e.budget >= 50 * maxCharge;
  const budgetCharges = e.budget / maxCharge;
  return {
    id: e.id,
    bidType: e.bidType,
    budget: e.budget,
    budgetCharges,
    roomy,
    even: metrics(e),
    asap: metrics(a),
  };
});
const usd = (micros: number) => (Number.isFinite(micros) ? `$${fmt(micros / 1e6, 2)}` : '—');
console.log(
  table(
    [
      'campaign',
      'bid',
      'budget',
      'util EVEN',
      'util ASAP',
      'RMSE EVEN',
      'RMSE ASAP',
      'ran out EVEN',
      'ran out ASAP',
      'clicks EVEN',
      'clicks ASAP',
      'eCPC EVEN',
      'eCPC ASAP',
      'charges/h EVEN',
      'budget/max charge',
    ],
    rows.map((r) => [
      r.id,
      r.bidType,
      usd(r.budget),
      `${fmt(100 * r.even.utilisation, 1)} %`,
      `${fmt(100 * r.asap.utilisation, 1)} %`,
      `${fmt(r.even.rmsePct, 1)} %`,
      `${fmt(r.asap.rmsePct, 1)} %`,
      r.even.ranOut,
      r.asap.ranOut,
      fmt(r.even.clicks),
      fmt(r.asap.clicks),
      usd(r.even.ecpc),
      usd(r.asap.ecpc),
      fmt(r.even.chargesPerHour, 1),
      fmt(r.budgetCharges, 0),
    ]),
  ),
);

/** Campaigns with at least this many charge events an hour: counting noise alone stays under 10 %. */
const DENSE = 100;

function summary(which: 'even' | 'asap', sim: typeof even) {
  const ms = rows.map((r) => r[which]);
  const spent = sim.results.reduce((a, r) => a + r.spent, 0);
  const budget = sim.results.reduce((a, r) => a + r.budget, 0);
  const clicks = sim.results.reduce((a, r) => a + r.clicks, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  // Dense: judged on EVEN's charge rate in both columns, so the two columns cover the same campaigns.
  const dense = rows.map((r, i) => [r.even.chargesPerHour >= DENSE, ms[i]!] as const).filter(([d]) => d);
  const rmse = (list: readonly (typeof ms)[0][]) => ({
    median: median(list.map((m) => m.rmsePct)),
    worst: Math.max(...list.map((m) => m.rmsePct)),
    met: list.filter((m) => m.rmsePct <= 10).length,
    count: list.length,
  });
  return {
    utilisationTotal: spent / budget,
    utilisationMin: Math.min(...ms.map((m) => m.utilisation)),
    utilisationMedian: median(ms.map((m) => m.utilisation)),
    utilisationMet: ms.filter((m) => m.utilisation >= 0.98).length,
    roomyMin: Math.min(...rows.filter((r) => r.roomy).map((r) => r[which].utilisation)),
    roomyMet: rows.filter((r) => r.roomy && r[which].utilisation >= 0.98).length,
    roomyCount: rows.filter((r) => r.roomy).length,
    chargesPerHourMin: Math.min(...ms.map((m) => m.chargesPerHour)),
    rmseAll: rmse(ms),
    rmseDense: rmse(dense.map(([, m]) => m)),
    overspendMaxPct: Math.max(...ms.map((m) => m.overspendPct)),
    ranOut: ms.filter((m) => m.ranOut !== '—').length,
    clicks,
    ecpc: spent / clicks,
    noFill: sim.noFill,
    seconds: sim.ms / 1000,
  };
}
const sEven = summary('even', even);
const sAsap = summary('asap', asap);
const n = rows.length;
const pct = (x: number, d = 1) => `${fmt(100 * x, d)} %`;
const rm = (x: number) => `${fmt(x, 1)} %`;
console.log(
  `\n${table(
    ['summary', 'EVEN', 'ASAP'],
    [
      [
        'budget utilisation (all spend / all budgets)',
        pct(sEven.utilisationTotal),
        pct(sAsap.utilisationTotal),
      ],
      [
        'campaigns; smallest budget in largest charges',
        `${n}; ${fmt(Math.min(...rows.map((r) => r.budgetCharges)), 0)}`,
        '',
      ],
      [
        'fewest charge events an hour, one campaign',
        fmt(sEven.chargesPerHourMin, 1),
        fmt(sAsap.chargesPerHourMin, 1),
      ],
      ['utilisation, median campaign', pct(sEven.utilisationMedian), pct(sAsap.utilisationMedian)],
      ['utilisation, lowest campaign', pct(sEven.utilisationMin), pct(sAsap.utilisationMin)],
      ['campaigns at >= 98 %', `${sEven.utilisationMet}/${n}`, `${sAsap.utilisationMet}/${n}`],
      [
        'campaigns at >= 98 % (budget >= 50 max charges)',
        `${sEven.roomyMet}/${sEven.roomyCount}`,
        `${sAsap.roomyMet}/${sAsap.roomyCount}`,
      ],
      ['hourly RMSE, median (all)', rm(sEven.rmseAll.median), rm(sAsap.rmseAll.median)],
      ['hourly RMSE, worst (all)', rm(sEven.rmseAll.worst), rm(sAsap.rmseAll.worst)],
      ['campaigns at RMSE <= 10 % (all)', `${sEven.rmseAll.met}/${n}`, `${sAsap.rmseAll.met}/${n}`],
      [`hourly RMSE, worst (>= ${DENSE} charges/h)`, rm(sEven.rmseDense.worst), rm(sAsap.rmseDense.worst)],
      [
        `campaigns at RMSE <= 10 % (>= ${DENSE} charges/h)`,
        `${sEven.rmseDense.met}/${sEven.rmseDense.count}`,
        `${sAsap.rmseDense.met}/${sAsap.rmseDense.count}`,
      ],
      ['worst overspend', pct(sEven.overspendMaxPct / 100, 3), pct(sAsap.overspendMaxPct / 100, 3)],
      ['campaigns whose budget ran out', `${sEven.ranOut}/${n}`, `${sAsap.ranOut}/${n}`],
      ['clicks', fmt(sEven.clicks), fmt(sAsap.clicks)],
      ['eCPC (all spend / all clicks)', usd(sEven.ecpc), usd(sAsap.ecpc)],
      ['simulated in', `${fmt(sEven.seconds, 1)} s`, `${fmt(sAsap.seconds, 1)} s`],
    ],
  )}`,
);
/** The targets, judged on every campaign (the narrower rows are printed for comparison only). */
const targets = [
  [
    'utilisation >= 98 % (every campaign)',
    sEven.utilisationMin >= 0.98,
    `${sEven.utilisationMet}/${n} campaigns, lowest ${pct(sEven.utilisationMin)}, all budgets ${pct(sEven.utilisationTotal)}`,
  ],
  [
    'hourly spend RMSE <= 10 % of the mean hourly target (every campaign)',
    sEven.rmseAll.worst <= 10,
    `${sEven.rmseAll.met}/${n} campaigns, median ${rm(sEven.rmseAll.median)}, worst ${rm(sEven.rmseAll.worst)}`,
  ],
  [
    'overspend <= 1 % of the daily budget (every campaign)',
    sEven.overspendMaxPct <= 1,
    `worst ${fmt(sEven.overspendMaxPct, 3)} %`,
  ],
  ['eCPC no worse than ASAP', sEven.ecpc <= sAsap.ecpc, `${usd(sEven.ecpc)} vs ${usd(sAsap.ecpc)}`],
] as const;
const subsets = [
  [
    'for comparison: utilisation >= 98 % (budgets of >= 50 max charges)',
    sEven.roomyCount > 0 && sEven.roomyMin >= 0.98,
    `${sEven.roomyMet}/${sEven.roomyCount}, lowest ${pct(sEven.roomyMin)}`,
  ],
  [
    `for comparison: hourly RMSE <= 10 % (campaigns with >= ${DENSE} charges/h)`,
    sEven.rmseDense.count > 0 && sEven.rmseDense.worst <= 10,
    `${sEven.rmseDense.met}/${sEven.rmseDense.count}, worst ${rm(sEven.rmseDense.worst)}`,
  ],
] as const;
const RMSE_DEFINITION =
  'hourly RMSE = sqrt(mean over the 24 UTC hours h of (spend_h - budget x curve_h)^2) / (budget / 24), ' +
  'where curve_h is the EVEN target curve (forecast traffic share of hour h, summing to 1); ' +
  'utilisation = spend / daily budget; overspend = max(0, spend - budget) / budget; eCPC = all spend / all clicks';
console.log(`\n${tiny ? 'TINY-BUDGET DAY (--tiny-budgets): ' : ''}${RMSE_DEFINITION}`);
console.log(
  `\n${table(
    ['target (EVEN)', 'result', 'figure'],
    [...targets, ...subsets].map(([t, ok, f]) => [t, ok ? 'met' : 'missed', f]),
  )}`,
);

const dir = resultsDir();
writeFileSync(
  join(dir, 'ads-pacing.json'),
  JSON.stringify(
    {
      args,
      world: { ...world, tinyBudgets: tiny },
      rmseDefinition: RMSE_DEFINITION,
      strategy,
      curve,
      summary: { even: sEven, asap: sAsap },
      targets,
      campaigns: rows,
      hourly: { even: even.results, asap: asap.results },
    },
    null,
    2,
  ),
);
const total = (sim: typeof even) =>
  Array.from({ length: 24 }, (_, h) => sim.results.reduce((a, r) => a + r.hourly[h]!, 0) / 1e6);
const budgetTotal = even.results.reduce((a, r) => a + r.budget, 0);
const charts = [
  lineChart('All campaigns: hourly spend', 'spend ($)', [
    { name: 'target curve', color: '#999', values: curve.map((w) => (w * budgetTotal) / 1e6), dashed: true },
    { name: `EVEN (${strategy})`, color: '#1f77b4', values: total(even) },
    { name: 'ASAP', color: '#d62728', values: total(asap) },
  ]),
  ...rows.slice(0, 12).map((r, i) =>
    lineChart(
      `${r.id} (${r.bidType}, budget ${usd(r.budget)})`,
      'spend ($)',
      [
        { name: 'target', color: '#999', values: curve.map((w) => (w * r.budget) / 1e6), dashed: true },
        { name: 'EVEN', color: '#1f77b4', values: even.results[i]!.hourly.map((v) => v / 1e6) },
        { name: 'ASAP', color: '#d62728', values: asap.results[i]!.hourly.map((v) => v / 1e6) },
      ],
      420,
      220,
    ),
  ),
];
const html = `<!doctype html><html><head><meta charset="utf-8"><title>Ads pacing simulation</title>
<style>body{font-family:sans-serif;margin:24px}svg{margin:6px;border:1px solid #eee}pre{font-size:12px}</style></head><body>
<h1>Ads pacing: EVEN (${strategy}) vs ASAP</h1>
<p>${tiny ? '<b>Tiny-budget day (--tiny-budgets).</b> ' : ''}${fmt(market.requests.length)} requests over 24 h, ${n} campaigns (every ${world.cpcEvery}th CPC), true CTR median ${world.ctrMedian}, seed ${seed}, budget scale ${args['budget-scale']}.</p>
<p>${RMSE_DEFINITION}</p>
<pre>${targets.map(([t, ok, f]) => `${ok ? 'met   ' : 'MISSED'}  ${t}: ${f}`).join('\n')}</pre>
<div>${charts.join('\n')}</div></body></html>`;
writeFileSync(join(dir, 'ads-pacing.html'), html);
process.stderr.write(`wrote ${join(dir, 'ads-pacing.json')} and ads-pacing.html\n`);
