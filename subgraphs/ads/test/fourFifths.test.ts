import { describe, expect, it } from 'vitest';
import { fourFifths } from '../src/reports/fourFifths.js';
import {
  isUserGroupKey,
  MAX_GROUP_SEGMENTS,
  userGroupKeys,
  userGroupUpdate,
} from '../src/reports/userGroups.js';

describe('four-fifths rule', () => {
  it('flags groups whose selection rate is under 0.8 of the highest', () => {
    const { highestSelectionRate, groups } = fourFifths([
      { group: 'DE', requests: 10, impressions: 5, clicks: 1 },
      { group: 'FR', requests: 20, impressions: 8, clicks: 0 },
      { group: 'IT', requests: 4, impressions: 1, clicks: 0 },
      { group: 'NL', requests: 0, impressions: 0, clicks: 0 },
    ]);
    expect(highestSelectionRate).toBe(0.5);
    // FR 0.4/0.5 = 0.8 exactly is not flagged (the rule is "less than four fifths"); IT 0.25/0.5 is.
    expect(groups.map((g) => [g.group, g.selectionRate, g.fourFifthsRatio, g.adverseImpact])).toEqual([
      ['FR', 0.4, 0.8, false],
      ['DE', 0.5, 1, false],
      ['IT', 0.25, 0.5, true],
      ['NL', null, null, false],
    ]);
  });

  it('has no ratios when no group was served at all', () => {
    const { highestSelectionRate, groups } = fourFifths([
      { group: 'a', requests: 3, impressions: 0, clicks: 0 },
    ]);
    expect(highestSelectionRate).toBe(0);
    expect(groups[0]).toMatchObject({ selectionRate: 0, fourFifthsRatio: null, adverseImpact: false });
  });
});

describe('user groups of a request', () => {
  it('names country, device and segments, with placeholders for what is not known', () => {
    expect(
      userGroupKeys({ country: 'DE', device: 'mobile', segments: ['sports', 'sports', 'news'] }),
    ).toEqual(['COUNTRY|DE', 'DEVICE|mobile', 'SEGMENT|sports', 'SEGMENT|news']);
    expect(userGroupKeys({ segments: [] })).toEqual([
      'COUNTRY|(unknown)',
      'DEVICE|(unknown)',
      'SEGMENT|(none)',
    ]);
    const many = Array.from({ length: 30 }, (_, i) => `s${i}`);
    expect(userGroupKeys({ segments: many })).toHaveLength(2 + MAX_GROUP_SEGMENTS);
  });

  it('accepts only well-formed keys back from tokens and writes every counter', () => {
    expect(isUserGroupKey('SEGMENT|sports')).toBe(true);
    for (const bad of ['OTHER|x', 'COUNTRY|', '|DE', 'COUNTRY|a|b', 42, 'SEGMENT|'.padEnd(70, 'x')])
      expect(isUserGroupKey(bad)).toBe(false);
    expect(userGroupUpdate('DEVICE|tv', 7, { impressions: 1 })).toEqual({
      $inc: { requests: 0, impressions: 1, clicks: 0 },
      $setOnInsert: { dimension: 'DEVICE', group: 'tv', hourStart: 7 },
    });
  });
});
