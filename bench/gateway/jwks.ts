/**
 * An identity provider for the gateway in its production configuration, which accepts only RS256/ES256
 * tokens from JWT_JWKS_URL with JWT_ISSUER and JWT_AUDIENCE: a key pair made per run, its public key
 * served as a JWKS on a local port, and tokens signed with the private one.
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface IdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A bearer token for `sub` with the given space-separated scopes, valid for `ttl` (e.g. '12h'). */
  sign(sub: string, scope: string, ttl: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = `bench-${Date.now().toString(36)}`;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });
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
    sign: (sub, scope, ttl) =>
      new SignJWT({ scope })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(ttl)
        .sign(privateKey),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
