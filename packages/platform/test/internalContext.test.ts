import { describe, expect, it } from 'vitest';
import { signInternalContext, verifyInternalContext } from '../src/internalContext.js';

const secret = 'a-test-secret-that-is-long-enough-123';

describe('internal context header', () => {
  it('round-trips the caller', () => {
    const caller = {
      userId: 'usr_1',
      scopes: ['read'],
      partnerId: 'p1',
      advertiserId: 'adv_1',
      apiKeyId: 'k1',
    };
    const header = signInternalContext(caller, secret, { now: 1_000 });
    expect(verifyInternalContext(header, secret, { now: 2_000 })).toEqual(caller);
  });

  it('carries the ε charged for the request, and only a positive finite one', () => {
    const header = signInternalContext({ scopes: [], partnerId: 'p1', dpEpsilon: 0.5 }, secret, {
      now: 1_000,
    });
    expect(verifyInternalContext(header, secret, { now: 2_000 }).dpEpsilon).toBe(0.5);
    const bad = signInternalContext({ scopes: [], dpEpsilon: -1 }, secret, { now: 1_000 });
    expect(verifyInternalContext(bad, secret, { now: 2_000 }).dpEpsilon).toBeUndefined();
  });

  it('treats a missing header as anonymous', () => {
    expect(verifyInternalContext(undefined, secret)).toEqual({ scopes: [] });
  });

  it('refuses a missing header with 401 where a signed context is required (production)', () => {
    try {
      verifyInternalContext(undefined, secret, { required: true });
      expect.unreachable();
    } catch (err) {
      const e = err as { extensions: { code: string; http: { status: number } } };
      expect(e.extensions.code).toBe('UNAUTHENTICATED');
      expect(e.extensions.http.status).toBe(401);
    }
  });

  it('stays valid for the whole request it was signed for, not a fixed minute', () => {
    const header = signInternalContext({ userId: 'usr_1', scopes: [] }, secret, { now: 0, ttlMs: 300_000 });
    // A fetch of a long request, sent 90 s after the request began.
    expect(verifyInternalContext(header, secret, { now: 90_000 }).userId).toBe('usr_1');
    expect(() => verifyInternalContext(header, secret, { now: 340_000 })).toThrow(/expired/);
  });

  it('rejects a header signed with another secret', () => {
    const header = signInternalContext(
      { userId: 'usr_1', scopes: [] },
      'another-secret-of-sufficient-length!!',
    );
    expect(() => verifyInternalContext(header, secret)).toThrow(/bad signature/);
  });

  it('rejects a tampered payload', () => {
    const header = signInternalContext({ userId: 'usr_1', scopes: [] }, secret);
    const [, sig] = header.split('.');
    const forged = Buffer.from(
      JSON.stringify({ userId: 'usr_admin', scopes: ['admin'], iat: Date.now() }),
    ).toString('base64url');
    expect(() => verifyInternalContext(`${forged}.${sig}`, secret)).toThrow(/bad signature/);
  });

  it('rejects an expired or future header, with UNAUTHENTICATED', () => {
    const header = signInternalContext({ scopes: [] }, secret, { now: 0, ttlMs: 60_000 });
    try {
      verifyInternalContext(header, secret, { now: 91_000 });
      expect.unreachable();
    } catch (err) {
      expect((err as { extensions: { code: string } }).extensions.code).toBe('UNAUTHENTICATED');
      expect((err as Error).message).toMatch(/expired/);
    }
    expect(() =>
      verifyInternalContext(signInternalContext({ scopes: [] }, secret, { now: 200_000 }), secret, {
        now: 0,
      }),
    ).toThrow(/future/);
  });

  it('rejects malformed headers', () => {
    for (const bad of ['x', 'a.b.c', '.', 'abc.'])
      expect(() => verifyInternalContext(bad, secret)).toThrow(/Internal context rejected/);
  });
});
