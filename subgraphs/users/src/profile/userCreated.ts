import { meshEvent, type UserCreatedData } from '@attention-mesh/platform';
import type { UserDoc } from '../models/User.js';
import { userKey } from '../userKey.js';

/** What others may know of a new user: no name, no email. */
export function userCreated(doc: UserDoc, occurredAt: number) {
  const data: UserCreatedData = {
    country: doc.country ?? null,
    locale: doc.locale,
    timezone: doc.timezone,
    segments: doc.segments,
    createdAt: doc.createdAt,
  };
  return meshEvent('user.created', userKey(doc._id), data, { userId: doc._id, occurredAt });
}
