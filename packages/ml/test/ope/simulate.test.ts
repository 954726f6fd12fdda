import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCriteo } from '../../src/ctr/criteo.js';
import { criteoWorld } from '../../src/ope/criteoWorld.js';
import { simulate } from '../../src/ope/simulate.js';

describe('the OPE simulation with a known ground truth', () => {
  // Fixed seed: 60 logs of 4,000 decisions each, three candidate policies.
  const result = simulate({ seed: 11, repeats: 60, decisions: 4000 });

  it('IPS and DR are unbiased within their noise, DR with the least error, intervals near 95 %', () => {
    for (const p of result.results) {
      // The candidate policies differ from the logging one: the check is not trivial.
      expect(Math.abs(p.truth - p.loggingTruth)).toBeGreaterThan(0.001);
      for (const name of ['ips', 'snips', 'dr'] as const) {
        const e = p.errors[name]!;
        // Bias: within 3 standard errors of the mean over 60 repeats (rmse / sqrt(60) bounds the sd).
        expect(Math.abs(e.bias)).toBeLessThan((3 * e.rmse) / Math.sqrt(60) + 1e-4);
        // Relative error: RMSE under 25 % of the truth at 4,000 decisions.
        expect(e.rmse / p.truth).toBeLessThan(0.25);
        // Coverage of the 95 % interval: 60 repeats, so a binomial sd of about 3 points.
        expect(e.coverage).toBeGreaterThanOrEqual(0.85);
      }
      expect(p.errors.dr!.rmse).toBeLessThan(p.errors.ips!.rmse);
      // The reward model alone is miscalibrated (noisy, pCTR × 1.2): the direct method misses the truth,
      // which the importance-weighted correction of DR repairs.
      expect(p.errors.dm!.bias).toBeGreaterThan(0.01);
      expect(p.errors.dm!.coverage).toBeLessThan(0.5);
    }
  });
});

// The shared datasets sit beside the repository (or beside the folder of its worktrees).
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CRITEO = [join(ROOT, '..'), join(ROOT, '..', '..')]
  .map((d) => join(d, 'shared', 'datasets', 'ctr', 'criteo_10k.tsv'))
  .find((f) => existsSync(f));

describe.skipIf(!CRITEO)('the semi-synthetic check on real clicks (Criteo 10k, labels as rewards)', () => {
  it('IPS, SNIPS and DR cover the exact CTR of greedy-ctr on real rows; the direct method does not', () => {
    const population = criteoWorld(parseCriteo(readFileSync(CRITEO!, 'utf8')));
    expect(population).toHaveLength(1000);
    const r = simulate({ seed: 5, repeats: 40, decisions: 4000, population, policies: ['greedy-ctr'] });
    const p = r.results[0]!;
    expect(p.truth - p.loggingTruth).toBeGreaterThan(0.03);
    for (const name of ['ips', 'snips', 'dr'] as const) {
      expect(Math.abs(p.errors[name]!.bias)).toBeLessThan((3 * p.errors[name]!.rmse) / Math.sqrt(40) + 1e-4);
      expect(p.errors[name]!.coverage).toBeGreaterThanOrEqual(0.85);
    }
    expect(p.errors.dm!.coverage).toBeLessThan(0.5);
  });
});
