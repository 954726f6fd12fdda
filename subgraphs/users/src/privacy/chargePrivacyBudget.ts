import { badUserInput, checkInt, ErrorCode, KeyedLock, meshError } from '@attention-mesh/platform';
import type { PrivacyChargeDoc, PrivacyLedgerDoc } from '../models/PrivacyLedger.js';
import type { UsersRuntime } from '../runtime.js';
import { budgetDay, fitsBudget, remainingOf } from './budgetDay.js';

export interface PrivacyChargeView {
  /** False when the charge would pass the day's budget: nothing was charged. */
  granted: boolean;
  /** The ε each differentially private field of the request is released with. */
  epsilonPerField: number;
  /** ε charged for this request (0 when refused). */
  charged: number;
  remaining: number;
  resetsAt: number;
}

const PARTNER_ID = /^[a-z0-9_-]{1,64}$/;

export function checkPartnerId(partnerId: string): string {
  if (!PARTNER_ID.test(partnerId))
    throw badUserInput('partnerId must be 1-64 characters of a-z, 0-9, _ and -', 'partnerId');
  return partnerId;
}

/** Charges of one partner run one at a time in this process (the embedded database's `$inc` is not atomic). */
const lock = new KeyedLock();

/** Attempts of the conditional update when another process moved the ledger in between (MongoDB replicas). */
const ATTEMPTS = 20;

/**
 * Charges `fields` × ε per query to the partner's budget of today for `requestId`, once: a retried
 * request id gets the first answer back and is not charged again. Refuses (granted false, nothing
 * charged) past the daily budget. The ledger moves by a conditional update on the `spent` read
 * (compare-and-set), so replicas cannot overspend either; a crash between the ledger's update and the
 * charge's record can only overcharge, never undercharge.
 */
export function chargePrivacyBudget(
  runtime: UsersRuntime,
  args: { partnerId: string; requestId: string; fields: number; operation: string },
  now = Date.now(),
): Promise<PrivacyChargeView> {
  const partnerId = checkPartnerId(args.partnerId);
  if (args.requestId.length < 1 || args.requestId.length > 128)
    throw badUserInput('requestId must be 1-128 characters', 'requestId');
  checkInt(args.fields, 'fields', 1, 50);
  if (!/^[0-9a-f]{64}$/.test(args.operation))
    throw badUserInput('operation must be a SHA-256 in 64 lower-case hex digits', 'operation');
  return lock.run([partnerId], () => charge(runtime, { ...args, partnerId }, now));
}

async function charge(
  runtime: UsersRuntime,
  {
    partnerId,
    requestId,
    fields,
    operation,
  }: { partnerId: string; requestId: string; fields: number; operation: string },
  now: number,
): Promise<PrivacyChargeView> {
  const { dailyEpsilon, epsilonPerQuery } = runtime.privacy;
  const { day, resetsAt } = budgetDay(now);
  const chargeId = `${partnerId}|${requestId}`;
  const ledgerId = `${partnerId}|${day}`;
  const done = await runtime.PrivacyCharge.findById(chargeId).lean<PrivacyChargeDoc>();
  if (done) {
    if (done.operation !== operation)
      throw meshError(ErrorCode.CONFLICT, 'this request id was used for another operation: use a new one', {
        field: 'requestId',
      });
    const ledger = await runtime.PrivacyLedger.findById(`${partnerId}|${done.day}`).lean<PrivacyLedgerDoc>();
    return {
      granted: true,
      epsilonPerField: done.epsilonPerField,
      charged: 0,
      remaining: remainingOf(ledger?.spent ?? 0, dailyEpsilon),
      resetsAt: done.day + 86_400_000,
    };
  }
  const cost = fields * epsilonPerQuery;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const ledger = await runtime.PrivacyLedger.findById(ledgerId).lean<PrivacyLedgerDoc>();
    const spent = ledger?.spent ?? 0;
    if (!fitsBudget(spent, cost, dailyEpsilon))
      return {
        granted: false,
        epsilonPerField: epsilonPerQuery,
        charged: 0,
        remaining: remainingOf(spent, dailyEpsilon),
        resetsAt,
      };
    if (
      !(await moveLedger(runtime, ledger, {
        _id: ledgerId,
        partnerId,
        day,
        spent: spent + cost,
        updatedAt: now,
      }))
    )
      continue;
    try {
      await runtime.PrivacyCharge.create({
        _id: chargeId,
        partnerId,
        day,
        epsilon: cost,
        epsilonPerField: epsilonPerQuery,
        fields,
        operation,
        at: now,
      });
    } catch (err) {
      // The same request id charged by another replica meanwhile: this charge stays (an overcharge).
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    return {
      granted: true,
      epsilonPerField: epsilonPerQuery,
      charged: cost,
      remaining: remainingOf(spent + cost, dailyEpsilon),
      resetsAt,
    };
  }
  throw meshError(ErrorCode.CONFLICT, 'the privacy budget is busy: retry the request');
}

/** Compare-and-set of the day's ledger: creates it, or updates it only if `spent` is still what was read. */
async function moveLedger(
  runtime: UsersRuntime,
  read: PrivacyLedgerDoc | null,
  next: PrivacyLedgerDoc,
): Promise<boolean> {
  if (!read) {
    try {
      await runtime.PrivacyLedger.create(next);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
  const res = await runtime.PrivacyLedger.updateOne(
    { _id: next._id, spent: read.spent },
    { $set: { spent: next.spent, updatedAt: next.updatedAt } },
  );
  return res.modifiedCount === 1;
}
