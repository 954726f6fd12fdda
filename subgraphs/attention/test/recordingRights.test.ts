import { ANONYMOUS } from '@attention-mesh/platform';
import { TEST_CALLERS } from '@attention-mesh/testkit';
import { describe, expect, it } from 'vitest';
import { firstUnrecordable, mayRecord, requireRecordingRights } from '../src/ingest/recordingRights.js';

const anon = { userId: null };
const of = (userId: string) => ({ userId });
const person = TEST_CALLERS.person('u1');
const key = TEST_CALLERS.publisher('pub-1');
const keyWithUser = TEST_CALLERS.publisher('pub-1', ['events:write'], 'u1');

describe('who may record an attention event', () => {
  it('lets an admin record anything', () => {
    expect(firstUnrecordable(TEST_CALLERS.admin, [anon, of('u1'), of('u2'), {}])).toBe(-1);
  });

  it('lets a person record only their own events, not anonymous ones', () => {
    expect(firstUnrecordable(person, [of('u1'), of('u1')])).toBe(-1);
    expect(mayRecord(person, of('u2'))).toBe(false);
    expect(mayRecord(person, anon)).toBe(false);
    expect(mayRecord(person, {})).toBe(false);
    expect(firstUnrecordable(person, [of('u1'), of('u2'), anon])).toBe(1);
  });

  it('lets a publisher key record anonymous events and those of the person signed in through it', () => {
    expect(firstUnrecordable(key, [anon, {}, anon])).toBe(-1);
    expect(mayRecord(key, of('u1'))).toBe(false);
    expect(firstUnrecordable(keyWithUser, [anon, of('u1')])).toBe(-1);
    expect(firstUnrecordable(keyWithUser, [anon, of('u1'), of('u2')])).toBe(2);
    // An empty userId is a userId, not an anonymous event.
    expect(mayRecord(key, of(''))).toBe(false);
  });

  it('lets a key without events:write, an analyst or nobody record nothing of their own', () => {
    expect(mayRecord(TEST_CALLERS.publisher('pub-1', ['ads:request']), anon)).toBe(false);
    expect(mayRecord(TEST_CALLERS.analyst, anon)).toBe(false);
    expect(mayRecord(TEST_CALLERS.analyst, of('u1'))).toBe(false);
    expect(mayRecord(ANONYMOUS, anon)).toBe(false);
    // A key without events:write but with a signed-in person: that person's own events, as a person.
    expect(mayRecord(TEST_CALLERS.publisher('pub-1', ['ads:request'], 'u1'), of('u1'))).toBe(true);
  });

  it('refuses a batch as a whole with FORBIDDEN and the index of the first offending event', () => {
    expect(() => requireRecordingRights(person, [of('u1')])).not.toThrow();
    let error: unknown;
    try {
      requireRecordingRights(person, [of('u1'), anon, of('u2')]);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      extensions: { code: 'FORBIDDEN', index: 1, field: 'events[1].userId' },
    });
  });
});
