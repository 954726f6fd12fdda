import { randomBytes } from 'node:crypto';

/** A uniform draw in (0, 1] from 53 random bits of the operating system's CSPRNG. */
export function secureUniform(): number {
  const buf = randomBytes(8);
  // 53 bits: the most a double holds exactly; +1 keeps 0 out (log(0) below).
  const hi = buf.readUInt32BE(0) >>> 5; // 27 bits
  const lo = buf.readUInt32BE(4) >>> 6; // 26 bits
  return (hi * 67_108_864 + lo + 1) / 9_007_199_254_740_992;
}

/** The α of a discrete Laplace of scale Δ/ε: P(k) ∝ α^|k|, α = e^(−ε/Δ). */
export function laplaceAlpha(epsilon: number, sensitivity: number): number {
  if (!(epsilon > 0) || !(sensitivity > 0)) throw new RangeError('epsilon and sensitivity must be > 0');
  return Math.exp(-epsilon / sensitivity);
}

/** The variance of that distribution, 2α/(1−α)², for tests and documentation. */
export function discreteLaplaceVariance(epsilon: number, sensitivity: number): number {
  const a = laplaceAlpha(epsilon, sensitivity);
  return (2 * a) / (1 - a) ** 2;
}

/** A geometric draw on {0, 1, …} with P(g) = (1−α)α^g, by inversion. */
function geometric(alpha: number, uniform: () => number): number {
  return Math.floor(Math.log(uniform()) / Math.log(alpha));
}

/**
 * One draw of the discrete Laplace (two-sided geometric) distribution, P(k) ∝ exp(−ε|k|/Δ): the
 * difference of two independent geometrics of parameter 1−α. Integer noise keeps released counts
 * integers, and the randomness comes from node:crypto, never Math.random (whose state can be
 * recovered from its outputs). `uniform` is for tests only.
 */
export function discreteLaplace(
  epsilon: number,
  sensitivity: number,
  uniform: () => number = secureUniform,
): number {
  const alpha = laplaceAlpha(epsilon, sensitivity);
  return geometric(alpha, uniform) - geometric(alpha, uniform);
}
