import { ErrorCode, meshError } from '../errors.js';
import { type Caller, hasScope, isAdmin, isAuthenticated, Scope } from './caller.js';

/**
 * Ownership checks, made by the subgraph that owns the data after the schema's rules passed: the
 * `@policy` names say what kind of caller may come, these say whether this data is theirs.
 */

function denied(caller: Caller, message: string) {
  return isAuthenticated(caller)
    ? meshError(ErrorCode.FORBIDDEN, message)
    : meshError(ErrorCode.UNAUTHENTICATED, `${message}: sign in first`);
}

/** The person themselves (or an admin). */
export const isSelf = (caller: Caller, userId: string | null | undefined): boolean =>
  isAdmin(caller) || (userId != null && caller.userId === userId);

export function requireSelf(caller: Caller, userId: string | null | undefined, what = 'this user'): void {
  if (!isSelf(caller, userId)) throw denied(caller, `Only the user themselves may use ${what}`);
}

/** A member acting for this advertiser (or an admin). */
export const isAdvertiserMember = (caller: Caller, advertiserId: string | null | undefined): boolean =>
  isAdmin(caller) ||
  (advertiserId != null && caller.advertiserId === advertiserId && hasScope(caller, Scope.ADS_WRITE));

export function requireAdvertiser(caller: Caller, advertiserId: string | null | undefined): void {
  if (!isAdvertiserMember(caller, advertiserId))
    throw denied(caller, 'Only members of this advertiser may do this');
}

/** The advertiser's members, analysts and admins may read an advertiser's delivery. */
export function requireAdvertiserOrAnalyst(caller: Caller, advertiserId: string | null | undefined): void {
  if (!isAdvertiserMember(caller, advertiserId) && !hasScope(caller, Scope.ANALYTICS_READ))
    throw denied(caller, "Only the advertiser's members and analysts may read this");
}

/** The partner itself (or an admin). */
export const isPartner = (caller: Caller, partnerId: string | null | undefined): boolean =>
  isAdmin(caller) || (partnerId != null && caller.partnerId === partnerId);

export function requirePartner(caller: Caller, partnerId: string | null | undefined, what = 'this'): void {
  if (!isPartner(caller, partnerId)) throw denied(caller, `Only its publisher may use ${what}`);
}
