import type { RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionEventInput } from '../src/ingest/eventRules.js';
import { importEvents } from '../src/ingest/importEvents.js';
import { recordAttention } from '../src/ingest/recordAttention.js';
import type { AttentionProfileDoc, AttentionTotalDoc } from '../src/models/index.js';
import { rebuildAggregates } from '../src/projection/rebuild.js';
import { profileHoursCutoff } from '../src/retention/retentionRules.js';
import { sweepRetention } from '../src/retention/sweepRetention.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

const DAY = 86_400_000;
let sg: RunningSubgraph<AttentionRuntime>;

beforeAll(async () => {
  // The service's own interval stays out of the way: the test runs the sweep itself.
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'), {
    env: { ATTENTION_RETENTION_INTERVAL_MS: '0' },
  });
});
afterAll(() => sg?.stop());

/** One view of an item: impression, 4 s in view, two activities, exit. */
function view(user: string, n: number, at: number, category: string): AttentionEventInput[] {
  const base = {
    userId: user,
    sessionId: `${user}-s${Math.floor(at / DAY)}`,
    impressionId: `${user}-v${n}`,
    target: { type: 'ITEM', id: `itm-${n % 4}` },
    category,
    device: 'mobile',
    country: 'FR',
  };
  return [
    { ...base, clientId: `${user}-${n}-1`, type: 'IMPRESSION', occurredAt: at },
    {
      ...base,
      clientId: `${user}-${n}-2`,
      type: 'VIEW_SEGMENT',
      visibleFraction: 0.8,
      durationMs: 4000,
      occurredAt: at + 500,
    },
    { ...base, clientId: `${user}-${n}-3`, type: 'ACTIVITY', occurredAt: at + 1000 },
    { ...base, clientId: `${user}-${n}-4`, type: 'ACTIVITY', occurredAt: at + 3000 },
    { ...base, clientId: `${user}-${n}-5`, type: 'PAGE_EXIT', occurredAt: at + 5000 },
  ];
}

const byId = <T extends { _id: string }>(docs: T[]) => Object.fromEntries(docs.map((d) => [d._id, d]));
const withoutHours = (p: AttentionProfileDoc) => ({ ...p, hours: undefined });

describe('the retention sweep', () => {
  it('deletes old events, views, sessions and profile hours, and leaves rollups and totals as they were', async () => {
    const rt = sg.runtime;
    const now = Date.now();
    // `old` only long ago, `mixed` long ago and recently, `fresh` recently.
    const events = [
      ...view('old', 1, now - 120 * DAY, 'news'),
      ...view('old', 2, now - 100 * DAY, 'tech'),
      ...view('mixed', 1, now - 95 * DAY, 'news'),
      ...view('mixed', 2, now - 40 * DAY, 'news'),
      ...view('mixed', 3, now - 2 * DAY, 'tech'),
      ...view('fresh', 1, now - 3 * 3_600_000, 'sports'),
    ];
    const imported = await importEvents(rt, events, { halfLifeDays: 7, allowHistorical: true });
    expect(imported.stored).toBe(events.length);
    const rollupsBefore = byId(await rt.AttentionRollup.find({}).lean());
    const totalsBefore = byId(await rt.AttentionTotal.find({}).lean<AttentionTotalDoc[]>());
    const profilesBefore = byId(await rt.AttentionProfile.find({}).lean<AttentionProfileDoc[]>());
    expect(Object.keys(profilesBefore.old!.hours ?? {})).toHaveLength(2);

    const result = await sweepRetention(rt, { retentionDays: 90, now });
    expect(result.events).toBe(15);
    // The import's rebuild dates each view by its last event: the two of `old` and the oldest of `mixed`.
    expect(result.views).toBe(3);
    expect(await rt.AttentionEvent.countDocuments({ occurredAt: { $lt: result.sweptBefore } })).toBe(0);
    expect(await rt.AttentionEvent.countDocuments({})).toBe(events.length - 15);
    // Sessions are dated by their last event in a rebuild: the two of `old` and the oldest of `mixed` go.
    expect(result.sessions).toBe(3);
    expect(await rt.AttentionSession.countDocuments({ _id: /^old\|/ })).toBe(0);

    // Profiles keep only the hours the predictions read; everything else of them is unchanged.
    const cutoff = profileHoursCutoff(now);
    const profilesAfter = byId(await rt.AttentionProfile.find({}).lean<AttentionProfileDoc[]>());
    for (const p of Object.values(profilesAfter))
      for (const h of Object.keys(p.hours ?? {})) expect(Number(h)).toBeGreaterThanOrEqual(cutoff);
    expect(Object.keys(profilesAfter.mixed!.hours ?? {})).toHaveLength(1);
    expect(result.profiles).toBe(2);
    for (const id of Object.keys(profilesBefore))
      expect(withoutHours(profilesAfter[id]!)).toEqual(withoutHours(profilesBefore[id]!));
    // The memory view the service reads was pruned the same way.
    const [mem] = rt.memory.profiles.getMany(['mixed']) ?? [];
    if (mem) expect(Object.keys(mem.hours ?? {})).toHaveLength(1);

    // Aggregates stay.
    expect(byId(await rt.AttentionRollup.find({}).lean())).toEqual(rollupsBefore);
    expect(byId(await rt.AttentionTotal.find({}).lean<AttentionTotalDoc[]>())).toEqual(totalsBefore);

    // A sweep again has nothing left to do.
    const again = await sweepRetention(rt, { retentionDays: 90, now });
    expect([again.events, again.sessions, again.hourEntries]).toEqual([0, 0, 0]);
  });

  it('keeps rollups and totals exact through a rebuild from the retained events', async () => {
    const rt = sg.runtime;
    const rollupsBefore = byId(await rt.AttentionRollup.find({}).lean());
    const totalsBefore = byId(await rt.AttentionTotal.find({}).lean<AttentionTotalDoc[]>());
    await rebuildAggregates(rt, { halfLifeDays: 7 });
    expect(byId(await rt.AttentionRollup.find({}).lean())).toEqual(rollupsBefore);
    const totalsAfter = byId(await rt.AttentionTotal.find({}).lean<AttentionTotalDoc[]>());
    expect(Object.keys(totalsAfter).sort()).toEqual(Object.keys(totalsBefore).sort());
    for (const [id, before] of Object.entries(totalsBefore)) {
      const { lastEventAt, ...measures } = before;
      const { lastEventAt: rebuiltLast, ...rebuilt } = totalsAfter[id]!;
      expect(rebuilt).toEqual(measures);
      // An entity seen only in swept hours keeps the start of its last hour.
      if (id === 'USER|old') expect(rebuiltLast).toBe(Math.floor(lastEventAt! / 3_600_000) * 3_600_000);
      else if (id === 'USER|mixed' || id === 'USER|fresh') expect(rebuiltLast).toBe(lastEventAt);
    }
  });

  it('prunes a profile that is being written to without losing the new counts', async () => {
    const rt = sg.runtime;
    const now = Date.now();
    await importEvents(rt, view('busy', 1, now - 40 * DAY, 'news'), {
      halfLifeDays: 7,
      allowHistorical: true,
    });
    const live = Array.from({ length: 8 }, (_, b) => view('busy', 10 + b, now - 60_000 + b * 10, 'tech'));
    const settings = { caller: TEST_CALLERS.admin, maxBatch: 1000, halfLifeDays: 7 };
    const [swept] = await Promise.all([
      sweepRetention(rt, { retentionDays: 90, now }),
      ...live.map((events) => recordAttention(rt, events, settings)),
    ]);
    expect(swept.hourEntries).toBeGreaterThanOrEqual(1); // busy's, and what the rebuild above brought back
    await rt.projection.idle();
    const stored = await rt.AttentionProfile.findById('busy').lean<AttentionProfileDoc>();
    // Every live event counted in its hour (one or two hours, as the minute falls), the old hour gone.
    const counts = Object.entries(stored?.hours ?? {});
    expect(counts.every(([h]) => Number(h) >= profileHoursCutoff(now))).toBe(true);
    expect(counts.reduce((n, [, v]) => n + v, 0)).toBe(live.flat().length);
  });
});
