/** Tokens longer than this are verified every time: a bound on what the cache holds per entry. */
const MAX_TOKEN_LENGTH = 4_096;

/**
 * Bearer tokens already verified, by their exact text, with what they said: a client sends the same
 * token with every request, and checking its RS256 signature again costs more CPU than the rest of a
 * small query. An entry lasts `maxAgeMs` (so a key the identity provider withdraws stops being
 * accepted within that long) and never past the token's own `exp` (+ the clock tolerance the
 * verification allowed). At most `capacity` entries, the least recently used dropped first; only
 * accepted tokens are kept (a refused one is checked, and refused, again).
 */
export class VerifiedTokens<T> {
  private readonly map = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): T | undefined {
    const entry = this.map.get(token);
    if (!entry) return undefined;
    this.map.delete(token);
    if (entry.until <= this.now()) return undefined;
    this.map.set(token, entry);
    return entry.value;
  }

  /** Keeps a verified token until `expiresAtMs` at the latest. */
  set(token: string, value: T, expiresAtMs: number): void {
    if (this.maxAgeMs <= 0 || this.capacity <= 0 || token.length > MAX_TOKEN_LENGTH) return;
    const until = Math.min(this.now() + this.maxAgeMs, expiresAtMs);
    if (until <= this.now()) return;
    this.map.delete(token);
    this.map.set(token, { value, until });
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}
