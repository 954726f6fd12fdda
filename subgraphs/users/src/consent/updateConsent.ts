import { type EventBus, notFound } from '@attention-mesh/platform';
import type { UserDoc } from '../models/User.js';
import type { UsersRuntime } from '../runtime.js';
import { consentChanged } from './consentChanged.js';
import { type ConsentChoice, mergeConsent } from './mergeConsent.js';

/** Merges the choices into the stored consent and announces the result. */
export async function updateConsent(
  runtime: UsersRuntime,
  events: EventBus,
  userId: string,
  consent: ConsentChoice,
  now = Date.now(),
): Promise<UserDoc> {
  const user = await runtime.User.findById(userId).lean<UserDoc>();
  if (!user) throw notFound('User', userId);
  const merged = mergeConsent(user.consent, consent, now);
  await runtime.User.updateOne({ _id: userId }, { $set: { consent: merged, updatedAt: now } });
  await events.publish([consentChanged(userId, merged)]);
  const updated = await runtime.User.findById(userId).lean<UserDoc>();
  if (!updated) throw notFound('User', userId);
  return updated;
}
