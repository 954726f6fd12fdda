import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { erasedIdOf, isErasedId, replaceId, tombstoneOf } from '../src/erasure/tombstoneHash.js';

describe('tombstoneOf', () => {
  it('is HMAC-SHA256 of the id under the key (RFC 4231 case 2), hex', () => {
    expect(tombstoneOf('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('depends on the key and on every character of the id, and holds neither', () => {
    const a = tombstoneOf('k'.repeat(32), 'usr-1');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(tombstoneOf('k'.repeat(32), 'usr-1')).toBe(a);
    expect(tombstoneOf('j'.repeat(32), 'usr-1')).not.toBe(a);
    expect(tombstoneOf('k'.repeat(32), 'usr-2')).not.toBe(a);
    expect(a).not.toContain('usr');
  });

  it('gives a stand-in id that is never a client id and is recognised', () => {
    const id = erasedIdOf(tombstoneOf('k'.repeat(32), 'usr-1'));
    expect(isErasedId(id)).toBe(true);
    expect(isErasedId('usr-1')).toBe(false);
  });
});

describe('replaceId', () => {
  it('replaces the id as a whole string and as a delimited part, deeply, keys included', () => {
    const { value, changed } = replaceId(
      { userId: 'u1', key: { id: 'u1' }, list: ['USER|u1|3', 'x'], 'u1#2': 1, n: 3 },
      'u1',
      'R',
    );
    expect(value).toEqual({ userId: 'R', key: { id: 'R' }, list: ['USER|R|3', 'x'], 'R#2': 1, n: 3 });
    expect(changed).toBe(4);
  });

  it('leaves longer ids that contain it alone', () => {
    const { value, changed } = replaceId({ a: 'u10', b: 'xu1', c: 'u1-b', d: 'u1.u1' }, 'u1', 'R');
    expect(value).toEqual({ a: 'u10', b: 'xu1', c: 'u1-b', d: 'u1.u1' });
    expect(changed).toBe(0);
  });
});

describe('the erasure secret', () => {
  const prod = { NODE_ENV: 'production', MESH_INTERNAL_SECRET: 'i'.repeat(32) };

  it('defaults in development and is required in production by every subgraph', () => {
    expect(loadConfig('users', {}).erasureSecret).toMatch(/development/);
    expect(() => loadConfig('attention', prod)).toThrow(/MESH_ERASURE_SECRET: required in production/);
    expect(loadConfig('attention', { ...prod, MESH_ERASURE_SECRET: 'e'.repeat(32) }).erasureSecret).toBe(
      'e'.repeat(32),
    );
  });

  it('is not asked of the gateway, which keeps no user data', () => {
    expect(() => loadConfig('gateway', prod)).not.toThrow();
  });
});
