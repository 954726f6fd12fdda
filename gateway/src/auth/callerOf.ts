import type { IncomingHttpHeaders } from 'node:http';
import { ANONYMOUS, type Caller, ErrorCode, meshError } from '@attention-mesh/platform';
import type { ApiKeyIdentity } from './apiKeys.js';
import type { BearerIdentity } from './verifyBearer.js';

/** The header partners send their API key in. */
export const API_KEY_HEADER = 'x-api-key';

export interface CallerSources {
  verifyBearer(token: string): Promise<BearerIdentity>;
  resolveApiKey(key: string): Promise<ApiKeyIdentity | null>;
}

const unauthenticated = (message: string) =>
  meshError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

const one = (value: string | string[] | undefined): string | undefined => {
  if (Array.isArray(value)) {
    if (value.length > 1) throw unauthenticated('Send one credential of each kind');
    return value[0];
  }
  return value;
};

/**
 * Who is calling, from the request's credentials: a person's bearer token, a partner's API key, or
 * both (a person signed in through a publisher: the key's scopes with the person's id, not the
 * person's scopes). No credential is the anonymous caller; a bad one refuses the request (401).
 */
export async function callerOf(headers: IncomingHttpHeaders, sources: CallerSources): Promise<Caller> {
  const authorization = one(headers.authorization);
  const apiKey = one(headers[API_KEY_HEADER]);
  let person: BearerIdentity | undefined;
  if (authorization !== undefined) {
    const m = /^Bearer +(\S+)$/.exec(authorization);
    if (!m?.[1]) throw unauthenticated('Invalid bearer token: expected "Bearer <jwt>"');
    person = await sources.verifyBearer(m[1]);
  }
  if (apiKey === undefined) {
    if (!person) return ANONYMOUS;
    return {
      userId: person.userId,
      scopes: person.scopes,
      ...(person.advertiserId ? { advertiserId: person.advertiserId } : {}),
    };
  }
  const key = await sources.resolveApiKey(apiKey);
  if (!key) throw unauthenticated('invalid API key');
  return {
    partnerId: key.partnerId,
    apiKeyId: key.apiKeyId,
    scopes: key.scopes,
    ...(person ? { userId: person.userId } : {}),
  };
}
