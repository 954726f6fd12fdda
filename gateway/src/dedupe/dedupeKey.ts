import { INTERNAL_CONTEXT_HEADER } from '@attention-mesh/platform';

const MAX_CALLERS = 1_000;
const callers = new Map<string, string>();

/** Headers that differ per client request without changing the answer. */
const PER_REQUEST = new Set(['x-request-id']);

/**
 * Who is asking, as the subgraph will read it: the signed context's claims without its issue and
 * expiry times (which differ per client request), so the same caller with the same privacy budget
 * shares, and two callers never do. A context that cannot be read keys as itself (shared with nobody
 * else).
 */
function callerOf(context: string): string {
  const known = callers.get(context);
  if (known !== undefined) return known;
  let caller = context;
  try {
    const payload = context.slice(0, context.indexOf('.'));
    const {
      iat: _iat,
      exp: _exp,
      ...claims
    } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    caller = JSON.stringify(claims);
  } catch {
    // Unreadable: keyed as itself.
  }
  // A request signs its context once and sends it on each of its subgraph calls: read it once.
  if (callers.size >= MAX_CALLERS) callers.clear();
  callers.set(context, caller);
  return caller;
}

/**
 * The key under which identical subgraph calls are shared: the subgraph, the operation text, the
 * variables and every header sent (the caller's signed context by its claims); header names in
 * lower case.
 */
export function dedupeKey(
  subgraph: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
): string {
  let key = `${subgraph}\n${query}\n${variables ? JSON.stringify(variables) : ''}`;
  for (const name of Object.keys(headers).sort()) {
    if (PER_REQUEST.has(name)) continue;
    const value = headers[name] ?? '';
    key += `\n${name}:${name === INTERNAL_CONTEXT_HEADER ? callerOf(value) : value}`;
  }
  return key;
}
