/**
 * What logging for off-policy evaluation costs the ad decision: the full `decide` path on the ads
 * benchmark's world (10,000 campaigns by default) without exploration or candidate logging, against the
 * same decisions with `ADS_EXPLORATION_EPSILON` 0.05 and the best 20 candidates logged (what
 * `requestAds` runs with by default), in alternating blocks so both see the same machine load. Prints
 * p50/p99 per decision and the share of explored decisions; writes bench/results/ope-decision-cost.json.
 *
 *   npm run bench:ope-decision -- [--decisions 20000] [--campaigns 10000] [--epsilon 0.05] [--logged 20] [--seed 1]
 */
import { decision, fmt, table } from '../ads/common.js';
import { generateRequest, generateWorld, seededRandom } from '../ads/world.js';
import { numericArgs } from '../shared/args.js';
import { progress } from '../shared/output.js';
import { writeResults } from '../shared/repo.js';

const args = numericArgs(
  'npm run bench:ope-decision -- [flags]',
  { decisions: 20_000, campaigns: 10_000, epsilon: 0.05, logged: 20, seed: 1 },
  {
    decisions: 'decisions per arm',
    campaigns: 'active campaigns in the world',
    epsilon: 'exploration rate of the logging arm',
    logged: 'candidates logged per decision in the logging arm',
    seed: 'seed of the world and the draws',
  },
);
const AT = Date.UTC(2026, 2, 4, 9);
const world = generateWorld({ campaigns: args.campaigns, placements: 200, seed: args.seed, at: AT });
const index = new decision.EligibilityIndex(world.campaigns);
const arms = [
  { name: 'no exploration, nothing logged', options: {}, times: [] as number[], explored: 0, fills: 0 },
  {
    name: `epsilon ${args.epsilon}, ${args.logged} candidates logged`,
    options: { explorationEpsilon: args.epsilon, maxLoggedCandidates: args.logged },
    times: [] as number[],
    explored: 0,
    fills: 0,
  },
];
const reqRng = seededRandom(args.seed + 100);
const rng = seededRandom(args.seed + 200);
const BLOCK = 500;
progress(`${fmt(args.campaigns)} campaigns, ${fmt(args.decisions)} decisions per arm in blocks of ${BLOCK}`);
for (let done = 0, n = 0; done < args.decisions; done += BLOCK) {
  const reqs = Array.from({ length: BLOCK }, () => generateRequest(reqRng, world, AT + n++ * 150));
  for (const a of arms) {
    for (const req of reqs) {
      const t0 = process.hrtime.bigint();
      const d = decision.decide(req, { index, state: world.state }, rng, a.options);
      a.times.push(Number(process.hrtime.bigint() - t0) / 1e3);
      if (d.filled) {
        a.fills++;
        if (d.explored) a.explored++;
      }
    }
  }
  if ((done / BLOCK) % 10 === 9) progress(`${fmt(done + BLOCK)} decisions per arm`);
}
const q = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const rows = arms.map((a) => [
  a.name,
  fmt(q(a.times, 0.5), 1),
  fmt(q(a.times, 0.99), 1),
  fmt(a.times.reduce((s, t) => s + t, 0) / a.times.length, 1),
  `${((100 * a.fills) / a.times.length).toFixed(1)}%`,
  `${((100 * a.explored) / Math.max(1, a.fills)).toFixed(1)}%`,
]);
process.stdout.write(`\n${table(['arm', 'p50 µs', 'p99 µs', 'mean µs', 'filled', 'explored'], rows)}\n`);
const path = writeResults('ope-decision-cost.json', {
  args,
  arms: arms.map((a) => ({
    name: a.name,
    p50: q(a.times, 0.5),
    p99: q(a.times, 0.99),
    fills: a.fills,
    explored: a.explored,
  })),
});
progress(`results in ${path}`);
