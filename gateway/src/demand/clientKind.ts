import { type Caller, hasScope, isAdmin, Scope } from '@attention-mesh/platform';

/** The kinds of caller that get their own cost budget (and rate budget). */
export type ClientKind = 'anonymous' | 'person' | 'partner' | 'analyst';

/** analyst (analytics:read or admin) before partner (an API key) before person (a signed-in user). */
export function clientKind(caller: Caller): ClientKind {
  if (isAdmin(caller) || hasScope(caller, Scope.ANALYTICS_READ)) return 'analyst';
  if (caller.partnerId !== undefined || caller.apiKeyId !== undefined) return 'partner';
  if (caller.userId !== undefined || caller.advertiserId !== undefined) return 'person';
  return 'anonymous';
}
