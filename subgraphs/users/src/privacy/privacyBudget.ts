import { type Caller, ErrorCode, isAdmin, meshError } from '@attention-mesh/platform';
import type { PrivacyLedgerDoc } from '../models/PrivacyLedger.js';
import type { UsersRuntime } from '../runtime.js';
import { budgetDay, remainingOf } from './budgetDay.js';
import { checkPartnerId } from './chargePrivacyBudget.js';

export interface PrivacyBudgetView {
  partnerId: string;
  day: number;
  dailyEpsilon: number;
  epsilonPerQuery: number;
  spent: number;
  remaining: number;
  resetsAt: number;
}

/** A partner's budget today, read by `_id`. */
export async function readBudget(
  runtime: UsersRuntime,
  partnerId: string,
  now = Date.now(),
): Promise<PrivacyBudgetView> {
  const { day, resetsAt } = budgetDay(now);
  const doc = await runtime.PrivacyLedger.findById(`${partnerId}|${day}`).lean<PrivacyLedgerDoc>();
  const spent = doc?.spent ?? 0;
  const { dailyEpsilon, epsilonPerQuery } = runtime.privacy;
  return {
    partnerId,
    day,
    dailyEpsilon,
    epsilonPerQuery,
    spent,
    remaining: remainingOf(spent, dailyEpsilon),
    resetsAt,
  };
}

/** `privacyBudget`: a key's own partner; admins name any partner. */
export function privacyBudget(runtime: UsersRuntime, caller: Caller, partnerId: string | null | undefined) {
  if (isAdmin(caller)) {
    if (!partnerId)
      throw meshError(ErrorCode.BAD_USER_INPUT, 'partnerId is required for admins', { field: 'partnerId' });
    return readBudget(runtime, checkPartnerId(partnerId));
  }
  if (!caller.partnerId)
    throw meshError(ErrorCode.FORBIDDEN, 'only a partner API key (or an admin) has a privacy budget');
  if (partnerId && partnerId !== caller.partnerId)
    throw meshError(ErrorCode.FORBIDDEN, "a key reads only its own partner's budget", { field: 'partnerId' });
  return readBudget(runtime, caller.partnerId);
}
