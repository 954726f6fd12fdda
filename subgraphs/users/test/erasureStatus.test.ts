import { describe, expect, it } from 'vitest';
import { allDone, erasureView } from '../src/erasure/erasureStatus.js';
import type { ErasureDoc } from '../src/models/Erasure.js';

const doc = (services: ErasureDoc['services']): ErasureDoc => ({
  _id: 'h',
  userId: 'usr-1',
  eventId: 'evt_x',
  requestedAt: 1_000,
  publishedAt: 1_001,
  services,
  completedAt: null,
});

describe('erasureView', () => {
  it('lists users, then the expected services, PENDING until they report', () => {
    const view = erasureView(doc({ users: { completedAt: 1_010, removed: 1 } }), ['attention', 'ads']);
    expect(view).toEqual({
      requestedAt: 1_000,
      completedAt: null,
      services: [
        { service: 'users', state: 'DONE', completedAt: 1_010, removed: 1 },
        { service: 'attention', state: 'PENDING', completedAt: null, removed: 0 },
        { service: 'ads', state: 'PENDING', completedAt: null, removed: 0 },
      ],
    });
  });

  it('is done only when users and every expected service reported; an unexpected one is shown too', () => {
    const d = doc({
      users: { completedAt: 1, removed: 1 },
      attention: { completedAt: 2, removed: 5 },
      extra: { completedAt: 3, removed: 0 },
    });
    expect(allDone(d, ['attention', 'ads'])).toBe(false);
    expect(allDone(d, ['attention'])).toBe(true);
    expect(erasureView(d, ['attention']).services.map((s) => s.service)).toEqual([
      'users',
      'attention',
      'extra',
    ]);
  });
});
