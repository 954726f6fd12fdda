import { createHmac, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type Caller, ErrorCode, meshError } from '@attention-mesh/platform';

/**
 * People authenticate with an HS256 JWT (`Authorization: Bearer …`): `sub` is the user id, `scope` a
 * space-separated list, `exp` (seconds) is checked. No header means an anonymous caller.
 */
export function callerFromAuthorization(
  header: string | undefined,
  secret: string,
  now = Date.now(),
): Caller {
  if (!header) return ANONYMOUS;
  const unauthenticated = (why: string) =>
    meshError(ErrorCode.UNAUTHENTICATED, `Invalid bearer token: ${why}`, { http: { status: 401 } });
  const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header);
  if (!m) throw unauthenticated('expected "Bearer <jwt>"');
  const [, head, body, sig] = m as unknown as [string, string, string, string];
  let claims: { sub?: unknown; scope?: unknown; exp?: unknown };
  try {
    const h = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
    if (h.alg !== 'HS256') throw unauthenticated('only HS256 is accepted');
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch (err) {
    if (err instanceof Error && 'extensions' in err) throw err;
    throw unauthenticated('malformed');
  }
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw unauthenticated('bad signature');
  if (typeof claims.exp === 'number' && claims.exp * 1000 < now) throw unauthenticated('expired');
  if (typeof claims.sub !== 'string') throw unauthenticated('no subject');
  return {
    userId: claims.sub,
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
  };
}

/** Signs an HS256 JWT; for development tools and tests. */
export function signJwt(claims: { sub: string; scope?: string; exp?: number }, secret: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
