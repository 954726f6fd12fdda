import { describe, expect, it } from 'vitest';
import { signInternalContext, verifyInternalContext } from '../src/internalContext.js';

const secret = 'a-test-secret-that-is-long-enough-123';

describe('internal context header', () => {
  it('round-trips the caller', () => {
    const header = signInternalContext({ userId: 'usr_1', scopes: ['read'], partnerId: 'p1' }, secret, 1_000);
    expect(verifyInternalContext(header, secret, { now: 2_000 })).toEqual({
      userId: 'usr_1',
      scopes: ['read'],
      partnerId: 'p1',
    });
  });

  it('treats a missing header as anonymous', () => {
    expect(verifyInternalContext(undefined, secret)).toEqual({ scopes: [] });
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
    const header = signInternalContext({ scopes: [] }, secret, 0);
    try {
      verifyInternalContext(header, secret, { now: 61_000 });
      expect.unreachable();
    } catch (err) {
      expect((err as { extensions: { code: string } }).extensions.code).toBe('UNAUTHENTICATED');
      expect((err as Error).message).toMatch(/expired/);
    }
    expect(() =>
      verifyInternalContext(signInternalContext({ scopes: [] }, secret, 200_000), secret, { now: 0 }),
    ).toThrow(/future/);
  });

  it('rejects malformed headers', () => {
    for (const bad of ['x', 'a.b.c', '.', 'abc.'])
      expect(() => verifyInternalContext(bad, secret)).toThrow(/Internal context rejected/);
  });
});
