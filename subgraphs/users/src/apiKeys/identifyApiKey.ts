import type { ApiKeyDoc } from '../models/ApiKey.js';
import type { UsersRuntime } from '../runtime.js';
import { apiKeyMatches, apiKeyPrefix } from './apiKeyFormat.js';

export interface ApiKeyIdentity {
  id: string;
  partnerId: string;
  scopes: string[];
}

/**
 * Who a key speaks for, for the gateway: null for a malformed, unknown or revoked key, or one whose
 * secret does not match its prefix's (compared in constant time). Never logs the key.
 */
export async function identifyApiKey(runtime: UsersRuntime, key: string): Promise<ApiKeyIdentity | null> {
  const prefix = apiKeyPrefix(key);
  if (!prefix) return null;
  const doc = await runtime.ApiKey.findOne({ prefix }).lean<ApiKeyDoc>();
  if (!doc || doc.revokedAt != null || !apiKeyMatches(key, doc.hash)) return null;
  return { id: doc._id, partnerId: doc.partnerId, scopes: doc.scopes };
}
