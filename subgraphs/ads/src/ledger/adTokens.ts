import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '@attention-mesh/platform';

/** What a signed impression or click token carries: enough to record and charge the event without a lookup. */
export interface AdTokenClaims {
  /** Decision id. */
  d: string;
  /** Event the token is for. */
  t: 'IMPRESSION' | 'CLICK';
  ad: string;
  cmp: string;
  plc: string;
  usr: string | null;
  /** What the campaign pays for this event, integer micros (0 when it pays for the other one). */
  ch: number;
  /** Issued at / expires at, epoch ms. */
  iat: number;
  exp: number;
  /** The request's user groups (see `userGroupKeys`), for the delivery fairness audit; absent in older tokens. */
  grp?: string[];
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

/** `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, opaque to clients. */
export function signAdToken(claims: AdTokenClaims, secret: string): string {
  const body = b64(JSON.stringify(claims));
  return `${body}.${b64(mac(secret, body))}`;
}

function invalid(why: string) {
  return badUserInput(`token ${why}`, 'input.token');
}

/** The claims of a genuine, unexpired token; BAD_USER_INPUT (field `input.token`) otherwise. */
export function verifyAdToken(token: string, secret: string, now: number): AdTokenClaims {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 2048) throw invalid('is malformed');
  const [body, sig] = parts as [string, string];
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw invalid('has a bad signature');
  let claims: AdTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AdTokenClaims;
  } catch {
    throw invalid('is malformed');
  }
  if (
    typeof claims.d !== 'string' ||
    (claims.t !== 'IMPRESSION' && claims.t !== 'CLICK') ||
    !Number.isSafeInteger(claims.ch) ||
    !Number.isFinite(claims.exp)
  ) {
    throw invalid('is malformed');
  }
  if (claims.exp <= now) throw invalid(`expired at ${new Date(claims.exp).toISOString()}`);
  return claims;
}
