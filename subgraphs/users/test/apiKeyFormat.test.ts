import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeyMatches, apiKeyPrefix, hashApiKey, newApiKey } from '../src/apiKeys/apiKeyFormat.js';
import { checkApiKeyInput } from '../src/apiKeys/apiKeyInput.js';

describe('API key format', () => {
  it('makes keys amk_<10 hex>_<43 base64url> whose prefix is the one returned', () => {
    const keys = Array.from({ length: 50 }, () => newApiKey());
    for (const { key, prefix } of keys) {
      expect(key).toMatch(/^amk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
      expect(apiKeyPrefix(key)).toBe(prefix);
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(50);
    expect(new Set(keys.map((k) => k.prefix)).size).toBe(50);
  });

  it.each([
    ['empty', ''],
    ['no scheme', '0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['upper-case prefix', `amk_ABCDEF0123_${'A'.repeat(43)}`],
    ['short prefix', `amk_abcdef012_${'A'.repeat(43)}`],
    ['short secret', `amk_abcdef0123_${'A'.repeat(42)}`],
    ['long secret', `amk_abcdef0123_${'A'.repeat(44)}`],
    ['padding in the secret', `amk_abcdef0123_${'A'.repeat(42)}=`],
    ['trailing newline', `amk_abcdef0123_${'A'.repeat(43)}\n`],
    ['other scheme', `xyz_abcdef0123_${'A'.repeat(43)}`],
  ])('has no prefix when malformed (%s)', (_, key) => {
    expect(apiKeyPrefix(key)).toBeNull();
  });

  it('hashes the whole key with SHA-256 (hex) and matches only that key', () => {
    const { key } = newApiKey();
    const hash = hashApiKey(key);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyMatches(key, hash)).toBe(true);
    const otherSecret = `${key.slice(0, 15)}${key[15] === 'A' ? 'B' : 'A'}${key.slice(16)}`;
    expect(apiKeyMatches(otherSecret, hash)).toBe(false);
    expect(apiKeyMatches(key, '')).toBe(false);
    expect(apiKeyMatches(key, 'not hex')).toBe(false);
  });
});

describe('API key input', () => {
  const good = { partnerId: 'acme-news_1', name: ' Acme web ', scopes: ['ads:request', 'events:write'] };

  it('accepts a slug partner, a trimmed name and distinct key scopes', () => {
    expect(checkApiKeyInput(good)).toEqual({
      partnerId: 'acme-news_1',
      name: 'Acme web',
      scopes: ['ads:request', 'events:write'],
    });
    expect(
      checkApiKeyInput({ ...good, partnerId: 'a'.repeat(64), name: 'n'.repeat(100) }).partnerId,
    ).toHaveLength(64);
    expect(
      checkApiKeyInput({ ...good, scopes: ['ads:request', 'events:write', 'analytics:read'] }).scopes,
    ).toHaveLength(3);
  });

  it.each([
    [{ partnerId: '' }, 'input.partnerId'],
    [{ partnerId: 'a'.repeat(65) }, 'input.partnerId'],
    [{ partnerId: 'Acme' }, 'input.partnerId'],
    [{ partnerId: 'acme news' }, 'input.partnerId'],
    [{ name: '' }, 'input.name'],
    [{ name: '   ' }, 'input.name'],
    [{ name: 'n'.repeat(101) }, 'input.name'],
    [{ scopes: [] }, 'input.scopes'],
    [{ scopes: ['admin'] }, 'input.scopes'],
    [{ scopes: ['mesh:gateway'] }, 'input.scopes'],
    [{ scopes: ['ads:write'] }, 'input.scopes'],
    [{ scopes: ['ads:request', 'ads:request'] }, 'input.scopes'],
    [{ scopes: ['ads:request', 'events:write', 'analytics:read', 'ads:request'] }, 'input.scopes'],
  ])('refuses %j with BAD_USER_INPUT on %s', (bad, field) => {
    let error: unknown;
    try {
      checkApiKeyInput({ ...good, ...bad });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
  });
});
