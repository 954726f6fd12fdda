import { createRng, type Rng } from '../core/random.js';
import { bootstrap } from './bootstrap.js';
import { ESTIMATORS, type EstimatorName, type EstimatorOptions, type OpeUnit } from './estimators.js';
import { adPolicy, adUnit } from './policies.js';
import type { AdCandidateRecord, AdDecisionRecord } from './records.js';

/**
 * A simulated ad marketplace with a known ground truth: a fixed population of contexts (requests), each
 * with 2..`maxCandidates` candidate ads whose true click probabilities are known, a reward model that
 * sees them with noise and a miscalibration (as a learned pCTR does), and a logging policy with known
 * propensities: a softmax over log eCPM (the randomness of a Thompson-sampling auction) mixed with
 * ε-uniform exploration. The true value of any candidate policy is computed exactly over the
 * population; each repeat logs `decisions` draws and estimates it.
 */
export interface SimulationOptions {
  seed?: number;
  contexts?: number;
  maxCandidates?: number;
  decisions?: number;
  repeats?: number;
  /** Exploration rate of the logging policy. Default 0.05. */
  epsilon?: number;
  /** Softmax temperature over log eCPM (smaller: greedier). Default 0.3. */
  temperature?: number;
  /** Noise of the reward model on the logit scale. Default 0.5. */
  modelNoise?: number;
  policies?: string[];
  estimator?: EstimatorOptions;
  /** Also a bootstrap interval for IPS and DR (slower). Default false. */
  bootstrap?: boolean;
  /**
   * A population of contexts to use instead of the generated one (e.g. `criteoWorld`: real rows with
   * their labels as the true click probabilities); its logging probabilities come with it.
   */
  population?: SimContext[];
  onRepeat?: (done: number, total: number) => void;
}

/** One context of the simulated population: candidates with their true click probabilities. */
export interface SimContext {
  candidates: AdCandidateRecord[];
  truth: number[];
  /** The logging policy's probabilities (see `loggingProbs`). */
  logging: number[];
}

/** The simulated logging policy: a softmax over log eCPM at `temperature`, mixed with ε-uniform. */
export function loggingProbs(
  candidates: readonly AdCandidateRecord[],
  epsilon: number,
  temperature: number,
): number[] {
  const logits = candidates.map((c) => Math.log(Math.max(c.ecpmMicros, 1e-9)) / temperature);
  const m = Math.max(...logits);
  const ex = logits.map((l) => Math.exp(l - m));
  const z = ex.reduce((s, v) => s + v, 0);
  return ex.map((v) => (1 - epsilon) * (v / z) + epsilon / candidates.length);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

function makeContext(
  rng: Rng,
  maxCandidates: number,
  noise: number,
  epsilon: number,
  temperature: number,
): SimContext {
  const k = 2 + rng.int(maxCandidates - 1);
  const truth: number[] = [];
  const candidates: AdCandidateRecord[] = [];
  for (let a = 0; a < k; a++) {
    const p = sigmoid(-3.5 + 0.8 * rng.normal());
    const pctr = Math.min(0.99, sigmoid(logit(p) + noise * rng.normal()) * 1.2);
    const bid = Math.round(200_000 + 800_000 * rng.next());
    truth.push(p);
    candidates.push({
      adId: `a${a}`,
      campaignId: `c${a}`,
      bidType: 'CPC',
      bidMicros: bid,
      pctr,
      ecpmMicros: bid * pctr * 1000,
      quality: 1,
      eligible: true,
    });
  }
  return { candidates, truth, logging: loggingProbs(candidates, epsilon, temperature) };
}

function pick(rng: Rng, probs: readonly number[]): number {
  let u = rng.next();
  for (let i = 0; i < probs.length; i++) {
    u -= probs[i]!;
    if (u < 0) return i;
  }
  return probs.length - 1;
}

export interface EstimatorError {
  /** Mean estimate over repeats. */
  mean: number;
  bias: number;
  rmse: number;
  /** Share of repeats whose interval covered the truth. */
  coverage: number;
  /** Mean interval width. */
  width: number;
}

export interface PolicyResult {
  policy: string;
  truth: number;
  /** The logging policy's true value, for comparison. */
  loggingTruth: number;
  errors: Record<string, EstimatorError>;
  meanEss: number;
}

export interface SimulationResult {
  options: Required<Omit<SimulationOptions, 'onRepeat' | 'estimator' | 'policies' | 'population'>> & {
    policies: string[];
  };
  results: PolicyResult[];
}

/** Runs the simulation; pure given the seed. */
export function simulate(opts: SimulationOptions = {}): SimulationResult {
  const o = {
    seed: opts.seed ?? 7,
    contexts: opts.contexts ?? 1000,
    maxCandidates: opts.maxCandidates ?? 8,
    decisions: opts.decisions ?? 5000,
    repeats: opts.repeats ?? 50,
    epsilon: opts.epsilon ?? 0.05,
    temperature: opts.temperature ?? 0.3,
    modelNoise: opts.modelNoise ?? 0.5,
    bootstrap: opts.bootstrap ?? false,
    policies: opts.policies ?? ['greedy-ecpm', 'greedy-ctr', 'egreedy-ecpm:0.2'],
  };
  const rng = createRng(o.seed);
  const population: SimContext[] = opts.population ?? [];
  if (!opts.population)
    for (let i = 0; i < o.contexts; i++)
      population.push(makeContext(rng, o.maxCandidates, o.modelNoise, o.epsilon, o.temperature));
  const recordOf = (ctx: SimContext, a: number, reward: number, id: string): AdDecisionRecord => ({
    kind: 'ad',
    id,
    at: 0,
    placementId: 'sim',
    chosen: ctx.candidates[a]!.adId,
    propensity: ctx.logging[a]!,
    explored: false,
    epsilon: o.epsilon,
    eligible: ctx.candidates.length,
    candidates: ctx.candidates,
    shown: true,
    reward,
  });
  const truthOf = (policy: string) => {
    let v = 0;
    for (const ctx of population) {
      const { probs } = adPolicy(policy, recordOf(ctx, 0, 0, 'x'));
      ctx.candidates.forEach((c, a) => {
        v += (probs.get(c.adId) ?? 0) * ctx.truth[a]!;
      });
    }
    return v / population.length;
  };
  let loggingTruth = 0;
  for (const ctx of population)
    for (let a = 0; a < ctx.logging.length; a++) loggingTruth += ctx.logging[a]! * ctx.truth[a]!;
  loggingTruth /= population.length;

  const names = [...Object.keys(ESTIMATORS), ...(o.bootstrap ? ['ips-boot', 'dr-boot'] : [])];
  const acc = o.policies.map((policy) => ({
    policy,
    truth: truthOf(policy),
    values: Object.fromEntries(names.map((n) => [n, [] as { v: number; lo: number; hi: number }[]])),
    ess: 0,
  }));
  for (let r = 0; r < o.repeats; r++) {
    const log: AdDecisionRecord[] = [];
    for (let i = 0; i < o.decisions; i++) {
      const ctx = population[rng.int(population.length)]!;
      const a = pick(rng, ctx.logging);
      log.push(recordOf(ctx, a, rng.next() < ctx.truth[a]! ? 1 : 0, `d${i}`));
    }
    for (const p of acc) {
      const units: OpeUnit[] = log.map((d) => adUnit(p.policy, d));
      for (const name of Object.keys(ESTIMATORS) as EstimatorName[]) {
        const e = ESTIMATORS[name](units, opts.estimator);
        p.values[name]!.push({ v: e.value, lo: e.lower, hi: e.upper });
      }
      if (o.bootstrap) {
        for (const name of ['ips', 'dr'] as const) {
          const e = bootstrap(units, (u) => ESTIMATORS[name](u, opts.estimator), { seed: r + 1, reps: 100 });
          p.values[`${name}-boot`]!.push({ v: e.value, lo: e.lower, hi: e.upper });
        }
      }
      let s = 0;
      let s2 = 0;
      for (const u of units) {
        const w = Math.min(
          u.slots[0]!.target / u.slots[0]!.propensity,
          opts.estimator?.maxWeight ?? Infinity,
        );
        s += w;
        s2 += w * w;
      }
      p.ess += s2 > 0 ? (s * s) / s2 / o.repeats : 0;
    }
    opts.onRepeat?.(r + 1, o.repeats);
  }
  const results = acc.map((p): PolicyResult => {
    const errors: Record<string, EstimatorError> = {};
    for (const name of names) {
      const vs = p.values[name]!;
      const mean = vs.reduce((s, x) => s + x.v, 0) / vs.length;
      const rmse = Math.sqrt(vs.reduce((s, x) => s + (x.v - p.truth) ** 2, 0) / vs.length);
      const coverage = vs.filter((x) => x.lo <= p.truth && p.truth <= x.hi).length / vs.length;
      const width = vs.reduce((s, x) => s + (x.hi - x.lo), 0) / vs.length;
      errors[name] = { mean, bias: mean - p.truth, rmse, coverage, width };
    }
    return { policy: p.policy, truth: p.truth, loggingTruth, errors, meanEss: p.ess };
  });
  return { options: o, results };
}
