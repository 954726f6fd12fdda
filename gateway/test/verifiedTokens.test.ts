import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from '../src/auth/verifiedTokens.js';
import { createBearerVerifier } from '../src/auth/verifyBearer.js';
import { hs256, TEST_JWT_SECRET } from './support/jwt.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('VerifiedTokens', () => {
  it('keeps a token for maxAgeMs, never past its expiry', () => {
    const c = clock();
    const tokens = new VerifiedTokens<string>(60_000, 10, c.now);
    tokens.set('a', 'A', c.now() + 300_000);
    tokens.set('b', 'B', c.now() + 20_000);
    c.advance(19_999);
    expect([tokens.get('a'), tokens.get('b')]).toEqual(['A', 'B']);
    c.advance(1);
    expect(tokens.get('b')).toBeUndefined();
    c.advance(40_000);
    expect(tokens.get('a')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('drops the least recently used token past its capacity', () => {
    const tokens = new VerifiedTokens<number>(60_000, 2);
    const later = Date.now() + 60_000;
    tokens.set('a', 1, later);
    tokens.set('b', 2, later);
    tokens.get('a');
    tokens.set('c', 3, later);
    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')]).toEqual([1, undefined, 3]);
  });

  it('keeps nothing when off, already expired, or longer than 4 KiB', () => {
    const later = Date.now() + 60_000;
    const off = new VerifiedTokens<number>(0, 10);
    off.set('a', 1, later);
    const on = new VerifiedTokens<number>(60_000, 10);
    on.set('expired', 1, Date.now() - 1);
    on.set('x'.repeat(4_097), 1, later);
    expect([off.size, on.size]).toEqual([0, 0]);
  });
});

describe('bearer verification with JWT_CACHE_MS', () => {
  it('refuses a remembered token once it expires, and hands out copies', async () => {
    let at = Date.now();
    const verify = createBearerVerifier({
      secret: TEST_JWT_SECRET,
      cacheMs: 300_000,
      currentDate: () => new Date(at),
    });
    const token = await hs256({ sub: 'u', scope: 'admin', exp: Math.floor(at / 1000) + 40 });
    const first = await verify(token);
    first.scopes.push('ads:write');
    expect(await verify(token)).toEqual({ userId: 'u', scopes: ['admin'] });
    at += 75_000;
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('still refuses a bad token it saw accepted in another form', async () => {
    const verify = createBearerVerifier({ secret: TEST_JWT_SECRET, cacheMs: 60_000 });
    const token = await hs256({ sub: 'u' });
    await verify(token);
    const [header, body] = token.split('.');
    await expect(verify(`${header}.${body}.AAAA`)).rejects.toMatchObject({
      message: expect.stringMatching(/bad signature/),
    });
  });
});
