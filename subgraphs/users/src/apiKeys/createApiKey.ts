import { newId } from '@attention-mesh/platform';
import type { ApiKeyDoc } from '../models/ApiKey.js';
import type { UsersRuntime } from '../runtime.js';
import { hashApiKey, newApiKey } from './apiKeyFormat.js';
import { checkApiKeyInput } from './apiKeyInput.js';
import { type ApiKeyView, apiKeyView } from './apiKeyView.js';

/** Draws of a fresh prefix when the one drawn is taken (one in a trillion per stored key). */
const ATTEMPTS = 3;

/**
 * Creates a partner's key and returns it this once with its stored view. Only the prefix and the
 * SHA-256 of the key are stored; the key is neither stored nor logged.
 */
export async function createApiKey(
  runtime: UsersRuntime,
  input: { partnerId: string; name: string; scopes: readonly string[] },
  now = Date.now(),
): Promise<{ key: string; apiKey: ApiKeyView }> {
  const checked = checkApiKeyInput(input);
  for (let attempt = 1; ; attempt++) {
    const { key, prefix } = newApiKey();
    const doc: ApiKeyDoc = {
      _id: newId('key', now),
      ...checked,
      prefix,
      hash: hashApiKey(key),
      createdAt: now,
      revokedAt: null,
    };
    try {
      await runtime.ApiKey.create(doc);
      return { key, apiKey: apiKeyView(doc) };
    } catch (err) {
      // A duplicate prefix (or id): draw again.
      if ((err as { code?: number }).code !== 11000 || attempt >= ATTEMPTS) throw err;
    }
  }
}
