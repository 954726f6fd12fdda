import { DEV_JWT_SECRET } from '@attention-mesh/platform';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseTokenArgs, runTokenCli, TOKEN_USAGE } from '../src/tokenCli.js';
import { parseTtl, signDevelopmentToken, TokenRequestError } from '../src/tokens.js';

const key = (secret = DEV_JWT_SECRET) => new TextEncoder().encode(secret);
const verify = async (token: string, secret?: string) => (await jwtVerify(token, key(secret))).payload;

describe('signDevelopmentToken', () => {
  it('signs sub, scope, advertiser_id, iat and a numeric exp one hour ahead by default (HS256)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signDevelopmentToken({
      sub: 'usr-demo-adv',
      scope: 'ads:write  analytics:read',
      advertiserId: 'adv-demo-1',
    });
    const claims = await verify(token);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect(claims).toMatchObject({
      sub: 'usr-demo-adv',
      scope: 'ads:write analytics:read',
      advertiser_id: 'adv-demo-1',
    });
    expect(typeof claims.exp).toBe('number');
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('leaves out scope and advertiser_id when there are none, and takes scopes as a list', async () => {
    const person = await verify(await signDevelopmentToken({ sub: 'usr-demo-01' }));
    expect(Object.keys(person).sort()).toEqual(['exp', 'iat', 'sub']);
    const admin = await verify(await signDevelopmentToken({ sub: 'usr-admin', scope: ['admin', 'admin'] }));
    expect(admin.scope).toBe('admin');
  });

  it('signs with the given secret, which the development secret does not verify', async () => {
    const secret = 'another-secret-of-at-least-thirty-two-characters';
    const token = await signDevelopmentToken({ sub: 'usr-1', ttl: '15m' }, secret);
    expect((await verify(token, secret)).sub).toBe('usr-1');
    await expect(verify(token)).rejects.toThrow(/signature/);
  });

  it('refuses an unknown scope, a missing or odd sub and a bad ttl, naming the option', async () => {
    await expect(signDevelopmentToken({ sub: 'usr-1', scope: 'admin mesh:gateway' })).rejects.toThrow(
      /scope: unknown "mesh:gateway"/,
    );
    await expect(signDevelopmentToken({ sub: '' })).rejects.toThrow(/^sub:/);
    await expect(signDevelopmentToken({ sub: 'two words' })).rejects.toThrow(/^sub:/);
    await expect(signDevelopmentToken({ sub: 'usr-1', advertiserId: '' })).rejects.toThrow(/^advertiserId:/);
    await expect(signDevelopmentToken({ sub: 'usr-1', ttl: '31d' })).rejects.toThrow(TokenRequestError);
  });
});

describe('parseTtl', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseTtl('30s')).toBe(30);
    expect(parseTtl('15m')).toBe(900);
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl('7d')).toBe(604_800);
    expect(parseTtl('30d')).toBe(2_592_000);
  });

  it('refuses more than 30 days, zero and anything without a unit', () => {
    expect(() => parseTtl('31d')).toThrow(/at most 30 days/);
    expect(() => parseTtl('721h')).toThrow(/at most 30 days/);
    expect(() => parseTtl('0m')).toThrow(/more than 0/);
    for (const bad of ['1', 'h', '1w', '-1h', '1.5h', ''])
      expect(() => parseTtl(bad), bad).toThrow(/ttl: expected a number and a unit/);
  });
});

describe('npm run token', () => {
  const run = async (argv: string[], env: Record<string, string | undefined> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runTokenCli(argv, env, { log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints only the token for the options given', async () => {
    const { code, out, err } = await run([
      '--sub',
      'usr-demo-adv',
      '--scope',
      'ads:write',
      '--advertiser',
      'adv-demo-1',
      '--ttl',
      '30s',
    ]);
    expect([code, err]).toEqual([0, '']);
    const claims = await verify(out);
    expect(claims).toMatchObject({ sub: 'usr-demo-adv', scope: 'ads:write', advertiser_id: 'adv-demo-1' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(30);
  });

  it('signs with JWT_SECRET when it is set', async () => {
    const secret = 'a-local-gateway-secret-of-thirty-two-chars';
    const { out } = await run(['--sub', 'usr-1'], { JWT_SECRET: secret });
    expect((await verify(out, secret)).sub).toBe('usr-1');
  });

  it('prints the usage on bad arguments, with what is wrong, and exits 2', async () => {
    for (const argv of [[], ['--sub'], ['--sub', 'u', '--bogus'], ['usr-1'], ['--sub', 'u', '--ttl', '2y']]) {
      const { code, out, err } = await run(argv);
      expect([code, out], argv.join(' ')).toEqual([2, '']);
      expect(err).toContain(TOKEN_USAGE);
    }
    expect((await run([])).err).toMatch(/^--sub <userId> is required/);
    expect((await run(['--sub', 'u', '--bogus'])).err).toMatch(/bogus/);
  });

  it('refuses to run with NODE_ENV=production', async () => {
    const { code, out, err } = await run(['--sub', 'usr-1'], { NODE_ENV: 'production' });
    expect([code, out]).toEqual([1, '']);
    expect(err).toMatch(/refused with NODE_ENV=production/);
  });

  it('reads the options into claims', () => {
    expect(parseTokenArgs(['--sub', 'usr-1', '--scope', 'analytics:read'])).toEqual({
      sub: 'usr-1',
      scope: 'analytics:read',
    });
  });
});
