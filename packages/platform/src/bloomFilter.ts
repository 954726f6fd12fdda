/**
 * A Bloom filter over strings: `mightContain` is false only for keys never added. Sized for
 * `expected` keys at `falsePositiveRate`; past that the rate degrades gradually (still never a false
 * negative).
 */
export class BloomFilter {
  private readonly bits: Uint8Array;
  private readonly size: number;
  private readonly hashes: number;

  constructor(expected: number, falsePositiveRate = 0.01) {
    const n = Math.max(1, expected);
    this.size = Math.max(64, Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2));
    this.hashes = Math.max(1, Math.round((this.size / n) * Math.LN2));
    this.bits = new Uint8Array(Math.ceil(this.size / 8));
  }

  add(key: string): void {
    const [a, b] = hash2(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (a + i * b) % this.size;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mightContain(key: string): boolean {
    const [a, b] = hash2(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (a + i * b) % this.size;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a style hashes (double hashing gives the k probes). */
function hash2(key: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  // An odd, non-zero step visits distinct bits for every probe.
  return [h1 >>> 0, (h2 | 1) >>> 0];
}
