import { type MeshEvent, meshEvent, type UserConsentChangedData } from '@attention-mesh/platform';
import type { ConsentDoc } from '../models/User.js';
import { userKey } from '../userKey.js';

/** The whole new consent, so a consumer never has to merge. */
export function consentChanged(userId: string, consent: ConsentDoc): MeshEvent<UserConsentChangedData> {
  const data: UserConsentChangedData = {
    personalization: consent.personalization,
    adsPersonalization: consent.adsPersonalization,
    analytics: consent.analytics,
    updatedAt: consent.updatedAt,
  };
  return meshEvent('user.consent.changed', userKey(userId), data, { userId, occurredAt: consent.updatedAt });
}
