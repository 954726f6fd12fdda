import { type Caller, type EventBus, notFound, requireSelf } from '@attention-mesh/platform';
import type { UserDoc } from '../models/User.js';
import type { UsersRuntime } from '../runtime.js';
import { consentChanged } from './consentChanged.js';
import { type ConsentChoice, mergeConsent } from './mergeConsent.js';

/** Merges the choices into the stored consent and announces the result. The person's (or an admin's) to do. */
export async function updateConsent(
  runtime: UsersRuntime,
  events: EventBus,
  caller: Caller,
  userId: string,
  consent: ConsentChoice,
  now = Date.now(),
): Promise<UserDoc> {
  requireSelf(caller, userId);
  const user = await runtime.User.findById(userId).lean<UserDoc>();
  if (!user) throw notFound('User', userId);
  const merged = mergeConsent(user.consent, consent, now);
  await runtime.User.updateOne({ _id: userId }, { $set: { consent: merged, updatedAt: now } });
  await events.publish([consentChanged(userId, merged)]);
  const updated = await runtime.User.findById(userId).lean<UserDoc>();
  if (!updated) throw notFound('User', userId);
  return updated;
}
