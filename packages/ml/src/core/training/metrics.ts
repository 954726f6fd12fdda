/** Binary-classification metrics on (label, probability) pairs. */

function checkLengths(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new Error(`metrics: ${labels.length} labels but ${scores.length} scores`);
  }
}

/** Indices sorted by score, ascending (ties in index order). */
function ascendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);
  return order;
}

/**
 * Area under the ROC curve by ranks (Mann-Whitney U): tied scores share their mean rank, so a tie
 * between a positive and a negative counts one half. NaN when there are no positives or no negatives.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkLengths(labels, scores);
  const n = labels.length;
  const order = ascendingOrder(scores);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]! > 0.5) {
        positives++;
        positiveRankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps] (default eps 1e-7). */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>, eps = 1e-7): number {
  checkLengths(labels, probs);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probs[i]!, eps), 1 - eps);
    sum -= labels[i]! > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared error of the probabilities. */
export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkLengths(labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probs[i]! - (labels[i]! > 0.5 ? 1 : 0)) ** 2;
  return sum / labels.length;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** The ROC curve, one point per distinct score (thinned to about `maxPoints`). */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, maxPoints = 200): RocPoint[] {
  checkLengths(labels, scores);
  const order = ascendingOrder(scores).reverse();
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0.5) positives++;
  const negatives = labels.length - positives;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  if (positives === 0 || negatives === 0) return points;
  let tp = 0;
  let fp = 0;
  let lastPushed = -1;
  const step = Math.max(1, Math.floor(labels.length / maxPoints));
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]!]! > 0.5) tp++;
    else fp++;
    const last = k === order.length - 1;
    // Points only at the end of a run of tied scores (the curve is linear across a tie).
    const tieNext = !last && scores[order[k + 1]!] === scores[order[k]!];
    if (!tieNext && (last || k - lastPushed >= step)) {
      points.push({ fpr: fp / negatives, tpr: tp / positives });
      lastPushed = k;
    }
  }
  return points;
}

export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Observed positive rate in the bin. */
  observed: number;
  count: number;
}

/** Reliability diagram: pairs sorted by probability, cut into `bins` bins of equal count. */
export function calibrationBins(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  checkLengths(labels, probs);
  const order = ascendingOrder(probs);
  const n = order.length;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += probs[order[k]!]!;
      y += labels[order[k]!]! > 0.5 ? 1 : 0;
    }
    out.push({ predicted: p / (to - from), observed: y / (to - from), count: to - from });
  }
  return out;
}
