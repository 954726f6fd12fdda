import { type JWTPayload, SignJWT } from 'jose';

/** Test and development bearer tokens, HS256 with the gateway's JWT_SECRET. */
export const TEST_JWT_SECRET = 'gateway-test-jwt-secret-of-enough-length';

/** A signed HS256 token; `exp` defaults to in an hour, longer than any test file runs on a loaded machine (pass `exp: undefined` to leave it out). */
export async function hs256(claims: JWTPayload, secret = TEST_JWT_SECRET): Promise<string> {
  const body = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  for (const k of Object.keys(body) as (keyof typeof body)[]) if (body[k] === undefined) delete body[k];
  return new SignJWT(body)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/** `Authorization` headers of a person (`sub`), with scopes and claims. */
export async function bearer(claims: JWTPayload, secret = TEST_JWT_SECRET): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await hs256(claims, secret)}` };
}

/** An admin's headers, for tests that seed or read personal data through the gateway. */
export const adminBearer = (secret = TEST_JWT_SECRET) => bearer({ sub: 'usr-admin', scope: 'admin' }, secret);
