import type { ConsentDoc } from '../models/User.js';

export interface ConsentChoice {
  personalization?: boolean | null;
  adsPersonalization?: boolean | null;
  analytics?: boolean | null;
}

/** A choice left out keeps its current value; a user who never chose has not consented. Pure. */
export function mergeConsent(
  current: ConsentDoc | undefined,
  input: ConsentChoice | null | undefined,
  now: number,
): ConsentDoc {
  return {
    personalization: input?.personalization ?? current?.personalization ?? false,
    adsPersonalization: input?.adsPersonalization ?? current?.adsPersonalization ?? false,
    analytics: input?.analytics ?? current?.analytics ?? false,
    updatedAt: now,
  };
}
