import { createRng, shuffleInPlace } from '../core/random.js';

export interface CtrSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * A fixed random split of `n` row indices (80/10/10 by default), reproducible from `seed`. Each part is
 * sorted, so rows keep their file order within it.
 */
export function splitRows(n: number, seed: number, fractions: [number, number] = [0.8, 0.1]): CtrSplit {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, createRng(seed));
  const nTrain = Math.round(n * fractions[0]);
  const nValidation = Math.round(n * fractions[1]);
  const part = (from: number, to: number) => order.slice(from, to).sort();
  return {
    train: part(0, nTrain),
    validation: part(nTrain, nTrain + nValidation),
    test: part(nTrain + nValidation, n),
  };
}
