/**
 * Off-policy evaluation against a known ground truth: IPS, self-normalised IPS, doubly robust and the
 * direct method side by side, for three candidate policies, on two worlds:
 * - synthetic: 1,000 contexts with 2..8 candidate ads each, known click probabilities, a noisy and
 *   miscalibrated reward model (as a learned pCTR), a logging policy with known propensities (a softmax
 *   over log eCPM, standing in for the auction's Thompson draws, mixed with ε-uniform exploration);
 * - semi-synthetic on real clicks (`../shared/datasets/ctr/criteo_10k.tsv`, skipped when absent): the
 *   second half of the rows cut into auctions of 5 real rows, each row's real label its reward, the
 *   reward model fitted on the first half (`criteoWorld`).
 * Each repeat logs `--decisions` decisions and estimates every policy; the table gives each estimator's
 * bias, RMSE and the coverage of its 95 % interval over `--repeats` repeats, next to the true CTR
 * (computed exactly over the population). Writes bench/results/ope.json.
 *
 *   npm run bench:ope -- [--decisions 5000] [--repeats 200] [--epsilon 0.05] [--seed 7] [--max-weight 0]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { criteoWorld, parseCriteo, type SimulationResult, simulate } from '@attention-mesh/ml/training';
import { numericArgs } from '../shared/args.js';
import { progress, table } from '../shared/output.js';
import { REPO_ROOT, writeResults } from '../shared/repo.js';

const args = numericArgs(
  'npm run bench:ope -- [flags]',
  { decisions: 5000, repeats: 200, epsilon: 0.05, seed: 7, maxWeight: 0 },
  {
    decisions: 'decisions logged per repeat',
    repeats: 'repeats (bias, RMSE and coverage are over these)',
    epsilon: 'exploration rate of the logging policy',
    seed: 'seed of the world and the draws',
    maxWeight: 'cap importance weights at this (0: no clipping)',
  },
);
const estimator = args.maxWeight > 0 ? { maxWeight: args.maxWeight } : {};
const policies = ['greedy-ecpm', 'greedy-ctr', 'egreedy-ecpm:0.2'];
const pts = (x: number) => (100 * x).toFixed(3);

function report(title: string, r: SimulationResult): string {
  const rows: (string | number)[][] = [];
  for (const p of r.results) {
    for (const name of ['ips', 'snips', 'dr', 'dm']) {
      const e = p.errors[name]!;
      rows.push([
        `${p.policy} / ${name.toUpperCase()}`,
        pts(p.truth),
        pts(e.mean),
        pts(e.bias),
        pts(e.rmse),
        `${(100 * e.coverage).toFixed(0)}%`,
        pts(e.width),
        Math.round(p.meanEss),
      ]);
    }
  }
  const logging = r.results[0]!.loggingTruth;
  return (
    `\n${title}: ${r.options.decisions.toLocaleString('en-US')} decisions x ${r.options.repeats} repeats, ` +
    `epsilon ${r.options.epsilon}, logging policy's true CTR ${pts(logging)}% (CTR figures in %, errors in points)\n\n` +
    table(
      ['policy / estimator', 'true CTR', 'mean est.', 'bias', 'RMSE', '95% cover', 'CI width', 'ESS'],
      rows,
    )
  );
}

const started = Date.now();
progress(`synthetic world: ${args.repeats} repeats of ${args.decisions} decisions`);
const synthetic = simulate({
  seed: args.seed,
  decisions: args.decisions,
  repeats: args.repeats,
  epsilon: args.epsilon,
  policies,
  estimator,
  onRepeat: (d, t) => d % 20 === 0 && progress(`synthetic: repeat ${d}/${t}`),
});
process.stdout.write(`${report('Synthetic world', synthetic)}\n`);

// The shared datasets sit beside the repository (or beside the folder of its worktrees).
const criteoFile =
  [join(REPO_ROOT, '..'), join(REPO_ROOT, '..', '..')]
    .map((d) => join(d, 'shared', 'datasets', 'ctr', 'criteo_10k.tsv'))
    .find((f) => existsSync(f)) ?? join(REPO_ROOT, '..', 'shared', 'datasets', 'ctr', 'criteo_10k.tsv');
let criteo: SimulationResult | null = null;
if (existsSync(criteoFile)) {
  progress(`semi-synthetic world on ${criteoFile}`);
  const population = criteoWorld(parseCriteo(readFileSync(criteoFile, 'utf8')), { epsilon: args.epsilon });
  criteo = simulate({
    seed: args.seed,
    decisions: args.decisions,
    repeats: args.repeats,
    epsilon: args.epsilon,
    policies: ['greedy-ctr', 'uniform', 'egreedy-ecpm:0.2'],
    estimator,
    population,
    onRepeat: (d, t) => d % 20 === 0 && progress(`criteo: repeat ${d}/${t}`),
  });
  process.stdout.write(
    `${report(`Semi-synthetic on Criteo (${population.length} auctions of 5 real rows, labels as rewards)`, criteo)}\n`,
  );
} else {
  progress(`skipped the semi-synthetic check: ${criteoFile} not found`);
}
const path = writeResults('ope.json', {
  args,
  seconds: (Date.now() - started) / 1000,
  synthetic,
  criteo,
});
progress(`results in ${path}`);
