import {
  checkClientId,
  checkSlugs,
  checkText,
  type EventBus,
  insertOnce,
  newId,
  userErased,
} from '@attention-mesh/platform';
import { consentChanged } from '../consent/consentChanged.js';
import { mergeConsent } from '../consent/mergeConsent.js';
import type { CreateUserInput } from '../generated/resolvers.js';
import type { UserDoc } from '../models/User.js';
import type { UsersRuntime } from '../runtime.js';
import { userCreated } from './userCreated.js';
import { checkCountry, checkEmail, checkLocale, checkTimezone } from './userInput.js';

/** The input once GraphQL has filled in the SDL's defaults (locale, timezone, segments). */
export type NewUserInput = CreateUserInput & { locale: string; timezone: string; segments: string[] };

/**
 * Creates a user once per client id and announces it with its consent. A repeat (or the loser of a
 * race on the same id) gets the stored user back and publishes nothing. An erased id is refused
 * (USER_ERASED): its tombstone outlives the profile.
 */
export async function createUser(
  runtime: UsersRuntime,
  events: EventBus,
  input: NewUserInput,
  now = Date.now(),
): Promise<UserDoc> {
  const doc: UserDoc = {
    _id: input.id ? checkClientId(input.id, 'input.id') : newId('usr', now),
    displayName: checkText(input.displayName, 'input.displayName', 100),
    email: checkEmail(input.email, 'input.email'),
    country: checkCountry(input.country, 'input.country'),
    locale: checkLocale(input.locale, 'input.locale'),
    timezone: checkTimezone(input.timezone, 'input.timezone'),
    segments: checkSlugs(input.segments, 'input.segments', 50, 'segment'),
    consent: mergeConsent(undefined, input.consent, now),
    createdAt: now,
    updatedAt: now,
  };
  if (input.id && (await runtime.tombstones.isErased(doc._id))) throw userErased('input.id');
  const stored = await insertOnce<UserDoc>(runtime.User, doc);
  // insertOnce returns our own document only when this call inserted it.
  if (stored === doc) await events.publish([userCreated(doc, now), consentChanged(doc._id, doc.consent)]);
  return stored;
}
