import { createHmac } from 'node:crypto';
import { discreteLaplace } from './discreteLaplace.js';

/**
 * A stream of uniforms in (0, 1] from HMAC-SHA256(key, `${seed}|${counter}`): a keyed cryptographic
 * PRF, so the draws cannot be predicted without the key, yet the same (key, seed) gives the same draws.
 */
function keyedUniform(key: string, seed: string): () => number {
  let counter = 0;
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 8 > block.length) {
      block = createHmac('sha256', key).update(`${seed}|${counter++}`).digest();
      offset = 0;
    }
    const hi = block.readUInt32BE(offset) >>> 5;
    const lo = block.readUInt32BE(offset + 4) >>> 6;
    offset += 8;
    return (hi * 67_108_864 + lo + 1) / 9_007_199_254_740_992;
  };
}

/**
 * Discrete Laplace noise for `release` drawn from `keyedUniform(key, seed)`. Seeded with the request
 * (partner, request id, field), a retried request gets the very same answer: the ledger charges a
 * request id once, and a retry with fresh noise would let a partner average the noise away for free.
 */
export function seededNoise(key: string, seed: string): (epsilon: number, sensitivity: number) => number {
  const uniform = keyedUniform(key, seed);
  return (epsilon, sensitivity) => discreteLaplace(epsilon, sensitivity, uniform);
}
