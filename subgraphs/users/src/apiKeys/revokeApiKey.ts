import { checkClientId, notFound } from '@attention-mesh/platform';
import type { ApiKeyDoc } from '../models/ApiKey.js';
import type { UsersRuntime } from '../runtime.js';
import { type ApiKeyView, apiKeyView } from './apiKeyView.js';

/**
 * Revokes a key from now on. Idempotent: a key already revoked keeps its first revokedAt (the update
 * applies only while it is unset, so of two racing calls the first wins and both answer the same).
 */
export async function revokeApiKey(runtime: UsersRuntime, id: string, now = Date.now()): Promise<ApiKeyView> {
  checkClientId(id, 'id');
  await runtime.ApiKey.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: now } });
  const doc = await runtime.ApiKey.findById(id).lean<ApiKeyDoc>();
  if (!doc) throw notFound('ApiKey', id);
  return apiKeyView(doc);
}
