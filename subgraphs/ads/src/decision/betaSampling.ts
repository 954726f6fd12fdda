import type { Rng } from './types.js';

/** Draws for Thompson sampling from the seeded rng (no Math.random: decisions replay exactly). */

/** A standard normal draw (Box–Muller; the second value is dropped to stay stateless). */
export function sampleNormal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.MIN_VALUE) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 by the boost `G(a+1)·U^(1/a)`). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    const u = rng.next();
    return sampleGamma(rng, shape + 1) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) draw. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x + y > 0 ? x / (x + y) : a / (a + b);
}
