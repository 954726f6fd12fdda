import { type Caller, checkSlugs, checkText, notFound, requireSelf } from '@attention-mesh/platform';
import type { UpdateUserInput } from '../generated/resolvers.js';
import type { UserDoc } from '../models/User.js';
import type { UsersRuntime } from '../runtime.js';
import { checkCountry, checkEmail, checkLocale, checkTimezone } from './userInput.js';

/**
 * Changes the profile fields given. Email and country may be cleared with null; the others keep their
 * value when null. Only the person (or an admin) may: that is checked first, so another person learns
 * nothing, not even whether the user exists. Then the input, before looking the user up, so bad input is
 * BAD_USER_INPUT first.
 */
export async function updateUser(
  runtime: UsersRuntime,
  caller: Caller,
  id: string,
  input: UpdateUserInput,
  now = Date.now(),
): Promise<UserDoc> {
  requireSelf(caller, id);
  const set: Partial<UserDoc> = { updatedAt: now };
  if (input.displayName != null) set.displayName = checkText(input.displayName, 'input.displayName', 100);
  if (input.email !== undefined) set.email = checkEmail(input.email, 'input.email');
  if (input.country !== undefined) set.country = checkCountry(input.country, 'input.country');
  if (input.locale != null) set.locale = checkLocale(input.locale, 'input.locale');
  if (input.timezone != null) set.timezone = checkTimezone(input.timezone, 'input.timezone');
  if (input.segments != null) set.segments = checkSlugs(input.segments, 'input.segments', 50, 'segment');
  if (!(await runtime.User.exists({ _id: id }))) throw notFound('User', id);
  await runtime.User.updateOne({ _id: id }, { $set: set });
  const updated = await runtime.User.findById(id).lean<UserDoc>();
  if (!updated) throw notFound('User', id);
  return updated;
}
