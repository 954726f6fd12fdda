/**
 * The `k` highest scores of `scores`, best first, skipping indices `skip` rejects, by partial selection: a
 * min-heap of size k, so one pass over the catalogue (23,715 items for Games) costs O(n log k) and
 * most entries are rejected by one comparison with the heap's smallest.
 */
export function topK(
  scores: ArrayLike<number>,
  k: number,
  skip: (index: number) => boolean = () => false,
): { index: number; score: number }[] {
  if (k <= 0) return [];
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  // Ties: the lower index ranks higher, so the ranking is deterministic.
  const less = (a: number, b: number) =>
    heapVal[a]! < heapVal[b]! || (heapVal[a] === heapVal[b] && heapIdx[a]! > heapIdx[b]!);
  const swap = (a: number, b: number) => {
    const ti = heapIdx[a]!;
    heapIdx[a] = heapIdx[b]!;
    heapIdx[b] = ti;
    const tv = heapVal[a]!;
    heapVal[a] = heapVal[b]!;
    heapVal[b] = tv;
  };
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s) || s === Number.NEGATIVE_INFINITY) continue;
    if (size === k && s <= heapVal[0]!) continue;
    if (skip(i)) continue;
    if (size < k) {
      heapIdx[size] = i;
      heapVal[size] = s;
      size++;
      for (let j = size - 1; j > 0; ) {
        const p = (j - 1) >> 1;
        if (!less(j, p)) break;
        swap(j, p);
        j = p;
      }
    } else {
      heapIdx[0] = i;
      heapVal[0] = s;
      siftDown(0);
    }
  }
  const out: { index: number; score: number }[] = [];
  for (let i = 0; i < size; i++) out.push({ index: heapIdx[i]!, score: heapVal[i]! });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}

/**
 * `topK` for the serving path: the k highest scores among indices with `eligible[i] === 1`, best first
 * (ties: lower index first). One tight pass over a typed array with no call per entry: an entry costs a
 * comparison with the k-th best so far, and only the few that beat it touch the eligibility array or
 * the heap.
 */
export function topKEligible(
  scores: Float32Array,
  k: number,
  eligible: Uint8Array,
): { index: number; score: number }[] {
  if (k <= 0) return [];
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  // The heap's smallest value, or -Infinity until it holds k entries (NaN never passes `>`).
  let floor = Number.NEGATIVE_INFINITY;
  const n = Math.min(scores.length, eligible.length);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!(s > floor) || eligible[i] === 0) continue;
    if (size < k) {
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (heapVal[p]! < s || (heapVal[p] === s && heapIdx[p]! > i)) break;
        heapIdx[j] = heapIdx[p]!;
        heapVal[j] = heapVal[p]!;
        j = p;
      }
      heapIdx[j] = i;
      heapVal[j] = s;
      if (size === k) floor = heapVal[0]!;
      continue;
    }
    // Replace the root (the smallest; ties at the floor keep the lower, earlier index) and sift down.
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= k) break;
      const r = l + 1;
      let m = l;
      if (r < k && (heapVal[r]! < heapVal[l]! || (heapVal[r] === heapVal[l] && heapIdx[r]! > heapIdx[l]!)))
        m = r;
      if (heapVal[m]! >= s) break;
      heapIdx[j] = heapIdx[m]!;
      heapVal[j] = heapVal[m]!;
      j = m;
    }
    heapIdx[j] = i;
    heapVal[j] = s;
    floor = heapVal[0]!;
  }
  const out: { index: number; score: number }[] = [];
  for (let i = 0; i < size; i++) out.push({ index: heapIdx[i]!, score: heapVal[i]! });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}
