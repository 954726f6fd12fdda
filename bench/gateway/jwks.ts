/**
 * An identity provider for the gateway in its production configuration, which accepts only RS256/ES256
 * tokens from JWT_JWKS_URL with JWT_ISSUER and JWT_AUDIENCE: an RSA key pair made per run, its public
 * key served as a JWKS on a local port, and RS256 tokens signed with the private one (node:crypto).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';

export interface IdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A bearer token for `sub` with the given space-separated scopes, valid for `ttlSeconds`. */
  sign(sub: string, scope: string, ttlSeconds: number): string;
  stop(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${Date.now().toString(36)}`;
  const jwks = JSON.stringify({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('JWKS server has no port');
  const issuer = 'https://bench-idp.attention-mesh.invalid/';
  const audience = 'attention-mesh-gateway';
  return {
    jwksUrl: `http://127.0.0.1:${address.port}/.well-known/jwks.json`,
    issuer,
    audience,
    sign: (sub, scope, ttlSeconds) => {
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64({ sub, scope, iss: issuer, aud: audience, iat: now, exp: now + ttlSeconds })}`;
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
