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
