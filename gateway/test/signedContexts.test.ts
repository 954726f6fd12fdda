import { DEV_INTERNAL_SECRET, verifyInternalContext } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { SignedContexts } from '../src/auth/signedContexts.js';

const decode = (context: string) =>
  JSON.parse(Buffer.from(context.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    iat: number;
    exp: number;
  };

describe('SignedContexts', () => {
  it("reuses a caller's signature for a second, each use still valid for the whole ttl", () => {
    let t = 1_000_000;
    const signed = new SignedContexts(DEV_INTERNAL_SECRET, 60_000, () => t);
    const person = { userId: 'usr-1', scopes: ['ads:write'] };
    const first = signed.of(person);
    t += 999;
    expect(signed.of({ userId: 'usr-1', scopes: ['ads:write'] })).toBe(first);
    expect(decode(first).exp - t).toBeGreaterThanOrEqual(60_000);
    expect(verifyInternalContext(first, DEV_INTERNAL_SECRET, { now: t + 60_000 })).toEqual(person);
    t += 1;
    const next = signed.of(person);
    expect(next).not.toBe(first);
    expect(decode(next).iat).toBe(t);
  });

  it('never gives one caller the signature of another', () => {
    const signed = new SignedContexts(DEV_INTERNAL_SECRET, 60_000);
    const a = signed.of({ userId: 'usr-1', scopes: [] });
    const b = signed.of({ userId: 'usr-1', scopes: ['admin'] });
    const c = signed.of({ userId: 'usr-1', scopes: [], dpEpsilon: 0.5 });
    expect(verifyInternalContext(a, DEV_INTERNAL_SECRET)).toEqual({ userId: 'usr-1', scopes: [] });
    expect(verifyInternalContext(b, DEV_INTERNAL_SECRET).scopes).toEqual(['admin']);
    expect(verifyInternalContext(c, DEV_INTERNAL_SECRET).dpEpsilon).toBe(0.5);
  });
});
