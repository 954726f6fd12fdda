import { type Caller, hasScope, isAdmin, Scope } from '@attention-mesh/platform';

/** The kinds of client that get budgets of their own. */
export const CLIENT_KINDS = ['anonymous', 'person', 'partner', 'analyst'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** analytics:read or admin: an analyst; an API key: a partner; a signed-in person; else anonymous. */
export function clientKindOf(caller: Caller): ClientKind {
  if (isAdmin(caller) || hasScope(caller, Scope.ANALYTICS_READ)) return 'analyst';
  if (caller.partnerId !== undefined) return 'partner';
  if (caller.userId !== undefined) return 'person';
  return 'anonymous';
}
