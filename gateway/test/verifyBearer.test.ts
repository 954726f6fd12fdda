import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBearerVerifier } from '../src/auth/verifyBearer.js';
import { hs256, TEST_JWT_SECRET } from './support/jwt.js';

const now = () => Math.floor(Date.now() / 1000);
const hsVerify = createBearerVerifier({ secret: TEST_JWT_SECRET });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    const e = err as { message: string; extensions?: { code?: string; http?: { status?: number } } };
    return { message: e.message, code: e.extensions?.code, status: e.extensions?.http?.status };
  }
  throw new Error('expected the token to be refused');
}

describe('HS256 bearer tokens', () => {
  it('accepts a valid token and reads its claims, dropping scopes clients may not hold', async () => {
    const token = await hs256({
      sub: 'usr-1',
      scope: 'ads:write mesh:gateway admin bogus',
      advertiser_id: 'adv-1',
    });
    expect(await hsVerify(token)).toEqual({
      userId: 'usr-1',
      scopes: ['ads:write', 'admin'],
      advertiserId: 'adv-1',
    });
  });

  it.each<[string, JWTPayload, RegExp]>([
    ['expired', { sub: 'u', exp: now() - 120 }, /expired/],
    ['not valid yet', { sub: 'u', nbf: now() + 120 }, /not valid yet/],
    ['without exp', { sub: 'u', exp: undefined }, /missing exp/],
    ['with exp as a string', { sub: 'u', exp: String(now() + 60) as unknown as number }, /invalid exp/],
    ['without sub', { scope: 'admin' }, /missing sub/],
  ])('refuses a token %s', async (_name, claims, message) => {
    const r = await refusal(hsVerify(await hs256(claims)));
    expect(r).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(r.message).toMatch(message);
  });

  it('refuses a bad signature and an unsigned token', async () => {
    const forged = await hs256({ sub: 'u' }, 'some-other-secret-of-enough-length!!');
    expect((await refusal(hsVerify(forged))).message).toMatch(/bad signature/);
    const body = Buffer.from(JSON.stringify({ sub: 'admin', scope: 'admin', exp: now() + 60 })).toString(
      'base64url',
    );
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
    expect((await refusal(hsVerify(none))).message).toMatch(/algorithm none not accepted/);
    expect((await refusal(hsVerify('not-a-jwt'))).message).toMatch(/malformed/);
  });

  it('tolerates 30 s of clock skew, and no more', async () => {
    expect((await hsVerify(await hs256({ sub: 'u', exp: now() - 20 }))).userId).toBe('u');
    expect((await hsVerify(await hs256({ sub: 'u', nbf: now() + 20 }))).userId).toBe('u');
    expect((await refusal(hsVerify(await hs256({ sub: 'u', exp: now() - 45 })))).message).toMatch(/expired/);
  });

  it('accepts no HS256 token without a secret (production with a JWKS only)', async () => {
    const jwksOnly = createBearerVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    expect((await refusal(jwksOnly(await hs256({ sub: 'u' })))).message).toMatch(
      /algorithm HS256 not accepted/,
    );
  });
});

describe('RS256 and ES256 tokens from a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;
  let fetches = 0;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    stranger = await generateKeyPair('RS256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (key: CryptoKey, alg: string, kid: string, claims: JWTPayload = {}) =>
    new SignJWT({
      scope: 'analytics:read',
      sub: 'usr-idp',
      iss: 'https://id.example.com/',
      aud: 'attention-mesh',
      exp: now() + 60,
      ...claims,
    })
      .setProtectedHeader({ alg, kid })
      .sign(key);

  const verifier = () =>
    createBearerVerifier({ jwksUrl, issuer: 'https://id.example.com/', audience: 'attention-mesh' });

  it('accepts RS256 and ES256 tokens signed by the provider, fetching its keys once', async () => {
    const verify = verifier();
    fetches = 0;
    expect(await verify(await sign(rsa.privateKey, 'RS256', 'rsa-1'))).toEqual({
      userId: 'usr-idp',
      scopes: ['analytics:read'],
    });
    expect((await verify(await sign(ec.privateKey, 'ES256', 'ec-1'))).userId).toBe('usr-idp');
    expect(fetches).toBe(1);
  });

  it('refuses a token signed by an unknown key', async () => {
    const verify = verifier();
    const r = await refusal(verify(await sign(stranger.privateKey, 'RS256', 'rsa-1')));
    expect(r).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(r.message).toMatch(/bad signature/);
    const unknownKid = await refusal(verify(await sign(stranger.privateKey, 'RS256', 'rsa-9')));
    expect(unknownKid.message).toMatch(/unknown key/);
  });

  it('refuses another issuer or audience', async () => {
    const verify = verifier();
    const iss = await refusal(
      verify(await sign(rsa.privateKey, 'RS256', 'rsa-1', { iss: 'https://evil.example/' })),
    );
    expect(iss.message).toMatch(/unexpected issuer/);
    const aud = await refusal(verify(await sign(rsa.privateKey, 'RS256', 'rsa-1', { aud: 'someone-else' })));
    expect(aud.message).toMatch(/unexpected audience/);
  });

  it('refuses an HS256 token made with the public key as secret (algorithm confusion)', async () => {
    const verify = createBearerVerifier({ jwksUrl });
    const jwk = await exportJWK(rsa.publicKey);
    const token = await new SignJWT({ sub: 'admin', scope: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await refusal(verify(token))).message).toMatch(/algorithm HS256 not accepted/);
  });
});
