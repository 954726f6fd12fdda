import { type Caller, LruCache, signInternalContext } from '@attention-mesh/platform';

/** How long one signature serves the requests of the same caller. */
const REUSE_MS = 1_000;
/** Callers whose signature is kept. */
const CAPACITY = 1_000;

/**
 * The signed internal context (`x-mesh-context`) of a caller, signed at most once a second per
 * caller: a client's requests come with the same credentials, and the HMAC, JSON and base64 of a
 * signature cost several per cent of a small query's CPU. A signature is valid for `ttlMs` plus the
 * second it may be reused, so every request still gets at least `ttlMs` (the subgraphs' check is
 * unchanged: signature, issue time, expiry). The caller's whole content is the key.
 */
export class SignedContexts {
  private readonly byCaller = new LruCache<string, { value: string; signedAt: number }>(CAPACITY);

  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  of(caller: Caller): string {
    const key = JSON.stringify(caller);
    const now = this.now();
    const known = this.byCaller.get(key);
    if (known && now >= known.signedAt && now - known.signedAt < REUSE_MS) return known.value;
    const value = signInternalContext(caller, this.secret, { now, ttlMs: this.ttlMs + REUSE_MS });
    this.byCaller.set(key, { value, signedAt: now });
    return value;
  }
}
