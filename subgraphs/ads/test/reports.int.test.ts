import { type MongoEventBus, meshEvent, type RunningSubgraph, utcHourOfWeek } from '@attention-mesh/platform';
import { adminHeaders, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliveryReport, HOUR_MS, ZERO_COUNTS } from '../src/reports/delivery.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, iso, placement, REQUEST, recordEvent, requestAd } from './world.js';

let sg: RunningSubgraph<AdsRuntime>;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-1');
  await placement(sg, 'plc-1');
  await campaign(sg, 'cmp-1', 'adv-1', {
    targeting: { placementIds: ['plc-1'] },
    dailyBudgetMicros: 24_000_000,
  });
});
afterAll(() => sg?.stop());

describe('delivery math', () => {
  it('sums hours into days with CTR, eCPM, eCPC and the pacing index', () => {
    const day = Date.UTC(2026, 0, 5);
    const rollups = [
      {
        ...ZERO_COUNTS,
        hourStart: day,
        requests: 10,
        wins: 4,
        impressions: 4,
        clicks: 1,
        spendMicros: 8_000,
      },
      { ...ZERO_COUNTS, hourStart: day + HOUR_MS, requests: 6, wins: 4, impressions: 4, spendMicros: 8_000 },
      { ...ZERO_COUNTS, hourStart: day + 30 * HOUR_MS, impressions: 2, clicks: 1, spendMicros: 4_000 },
    ];
    const c = { dailyBudgetMicros: 24_000, startAt: day + HOUR_MS, endAt: null };
    const byDay = deliveryReport(rollups, { from: day, to: day + 48 * HOUR_MS }, 'DAY', c);
    expect(byDay.buckets).toHaveLength(2);
    expect(byDay.buckets[0]).toMatchObject({
      start: day,
      requests: 16,
      wins: 8,
      impressions: 8,
      clicks: 1,
      spendMicros: 16_000,
      ctr: 1 / 8,
      ecpmMicros: 2_000_000,
      ecpcMicros: 16_000,
      // The campaign started in the second hour: 23 hours of a 1,000-per-hour target.
      pacingIndex: 16_000 / 23_000,
    });
    expect(byDay.buckets[1]).toMatchObject({
      impressions: 2,
      clicks: 1,
      ecpcMicros: 4_000,
      pacingIndex: 4_000 / 24_000,
    });
    expect(byDay.total).toMatchObject({ impressions: 10, clicks: 2, spendMicros: 20_000, ctr: 0.2 });
    const byHour = deliveryReport(rollups, { from: day, to: day + 2 * HOUR_MS }, 'HOUR', c);
    expect(byHour.buckets.map((b) => [b.requests, b.pacingIndex])).toEqual([
      [10, null],
      [6, 8],
    ]);
    expect(byHour.buckets[0]?.ecpmMicros).toBe(2_000_000);
  });
});

describe('Campaign.delivery and pacing through the subgraph', () => {
  it('reports what decisions and events happened, by hour', async () => {
    for (let i = 0; i < 4; i++) {
      const d = await requestAd(sg, { placementId: 'plc-1', userId: `u${i}` });
      await recordEvent(sg, { token: d.impressionToken, viewable: i % 2 === 0 });
      if (i === 0) await recordEvent(sg, { token: d.clickToken });
      if (i === 0) await recordEvent(sg, { token: d.clickToken, type: 'CONVERSION' });
    }
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const res = await gql<{
      campaign: {
        delivery: { buckets: unknown[]; total: Record<string, unknown> };
        pacing: Record<string, unknown>;
      };
    }>(
      sg.url,
      `query($from: DateTime!, $to: DateTime!) { campaign(id: "cmp-1") {
        delivery(from: $from, to: $to, granularity: HOUR) {
          granularity buckets { start impressions }
          total { requests wins impressions viewableImpressions clicks conversions spendMicros ctr ecpmMicros ecpcMicros pacingIndex }
        }
        pacing { spentTodayMicros targetSoFarMicros multiplier throttle reservedMicros }
        spentMicros
      } }`,
      { from: iso(hour - 3 * HOUR_MS), to: iso(hour + HOUR_MS) },
      adminHeaders(),
    );
    expect(res.errors).toBeUndefined();
    const total = res.data!.campaign.delivery.total;
    expect(total).toMatchObject({
      requests: 4,
      wins: 4,
      impressions: 4,
      viewableImpressions: 2,
      clicks: 1,
      conversions: 1,
      spendMicros: 8_000,
      ctr: 0.25,
      ecpmMicros: 2_000_000,
      ecpcMicros: 8_000,
    });
    expect(total.pacingIndex).toBeCloseTo(8_000 / 4_000_000, 8);
    expect(res.data!.campaign.delivery.buckets).toHaveLength(4);
    // Requests counted in memory so far; written by the flush, and counted once either way.
    await sg.runtime.ads.counts.flush();
    const again = await gql<{ campaign: { delivery: { total: { requests: number } } } }>(
      sg.url,
      'query($f: DateTime!, $t: DateTime!) { campaign(id: "cmp-1") { delivery(from: $f, to: $t) { total { requests } } } }',
      { f: iso(hour - 3 * HOUR_MS), t: iso(hour + HOUR_MS) },
      adminHeaders(),
    );
    expect(again.data?.campaign.delivery.total.requests).toBe(4);
    expect(res.data!.campaign.pacing).toMatchObject({
      spentTodayMicros: 8_000,
      reservedMicros: 0,
      multiplier: 1,
      throttle: 0,
      // ASAP: the whole day's budget is the target at once.
      targetSoFarMicros: 24_000_000,
    });
  });

  it('rejects a reversed or too long range', async () => {
    const q = (from: number, to: number) =>
      gql(
        sg.url,
        'query($f: DateTime!, $t: DateTime!) { campaign(id: "cmp-1") { delivery(from: $f, to: $t) { total { requests } } } }',
        {
          f: iso(from),
          t: iso(to),
        },
        adminHeaders(),
      );
    const now = Date.now();
    expect(errorCodes(await q(now, now - 1))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await q(now - 40 * 24 * HOUR_MS, now))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('snapshots from the event bus', () => {
  it('keeps complaints per ad (once per feedback id) and each user attention curve (once per event)', async () => {
    const rt = sg.runtime.ads;
    const at = Date.now() - 60_000;
    const complaint = () =>
      meshEvent(
        'feedback.received',
        { __typename: 'Ad', id: 'cmp-1-ad' },
        {
          feedbackId: 'fbk-1',
          kind: 'COMPLAINT',
          targetType: 'AD',
          targetId: 'cmp-1-ad',
          rating: null,
          dwellMs: null,
          reason: 'offensive',
          occurredAt: at,
        },
      );
    const attention = meshEvent(
      'attention.recorded',
      { __typename: 'User', id: 'u-att' },
      {
        events: 3,
        impressions: 1,
        clicks: 0,
        engagedMs: 90_000,
        targets: [{ type: 'AD', id: 'cmp-1-ad', engagedMs: 5_000 }],
        placements: [{ id: 'plc-att', impressions: 60, viewable: 45, engagedMs: 450_000 }],
        lastEventAt: at,
      },
      { userId: 'u-att' },
    );
    // The same complaint announced twice (a retried publish) and the same event delivered twice.
    await sg.events.publish([complaint(), complaint(), attention]);
    await sg.events.publish([attention]);
    await expect.poll(() => rt.adStats.get('cmp-1-ad').complaints, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(async () => (await rt.userAttention.get('u-att'))?.hours[utcHourOfWeek(at)], { timeout: 10_000 })
      .toBe(90_000);
    await expect.poll(() => rt.adStats.get('cmp-1-ad').engagedMs, { timeout: 10_000 }).toBe(5_000);
    // Placement attention, counted once: 75 % viewable, 7.5 s engaged per impression of 15 s.
    expect(rt.placementAttention.score('plc-att')).toBeCloseTo(0.5 * 0.75 + 0.5 * 0.5);
    expect(rt.placementAttention.score('plc-unmeasured')).toBeUndefined();
  });

  it('keeps the newest ads-personalisation consent of each user', async () => {
    const rt = sg.runtime.ads;
    const consent = (adsPersonalization: boolean, updatedAt: number) =>
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id: 'u-consent' },
        { personalization: true, adsPersonalization, analytics: true, updatedAt },
        { userId: 'u-consent' },
      );
    const now = Date.now();
    // The newer announcement first, then an older one arriving late.
    await sg.events.publish([consent(true, now), consent(false, now - 1000)]);
    await expect
      .poll(() => sg.runtime.AdsConsent.countDocuments({ _id: 'u-consent' }), { timeout: 10_000 })
      .toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rt.consents.allows('u-consent', 'adsPersonalization')).toBe(true);
    expect(await rt.consents.allows('u-never-announced', 'adsPersonalization')).toBe(false);
  });

  it('forgets an erased user: exposures, attention curve and the user id in the log and ledger', async () => {
    const rt = sg.runtime.ads;
    const d = await requestAd(sg, { placementId: 'plc-1', userId: 'u-gone' });
    // Issued before the erasure, recorded after it: still charged, no longer the user's.
    const late = await requestAd(sg, { placementId: 'plc-1', userId: 'u-gone' });
    await recordEvent(sg, { token: d.impressionToken });
    await rt.userAttention.apply('u-gone', 'evt_0', 60_000, Date.now());
    expect(await rt.exposures.get('u-gone')).toHaveLength(1);
    await sg.events.publish([
      meshEvent('user.erased', { __typename: 'User', id: 'u-gone' }, {}, { userId: 'u-gone' }),
    ]);
    const archive = (sg.events as MongoEventBus).connection.collection('events');
    // Completion is reported after every write of the erasure.
    await expect
      .poll(() => archive.countDocuments({ type: 'user.erasure.completed' }), { timeout: 10_000 })
      .toBe(1);
    const done = await archive.findOne({ type: 'user.erasure.completed' });
    // Exposures and attention curve deleted; two decisions and one ad event anonymised.
    expect(done?.data).toMatchObject({ service: 'ads', removed: 5 });
    expect(await sg.runtime.AdEvent.countDocuments({ userId: 'u-gone' })).toBe(0);
    expect(await sg.runtime.Decision.countDocuments({ userId: 'u-gone' })).toBe(0);
    expect(await sg.runtime.Decision.countDocuments({ _id: d.id, userId: null })).toBe(1);
    expect(await rt.exposures.get('u-gone')).toEqual([]);
    expect(await rt.userAttention.get('u-gone')).toBeNull();

    const refused = await gql(
      sg.url,
      REQUEST,
      { i: { placementId: 'plc-1', userId: 'u-gone' } },
      adminHeaders(),
    );
    expect(errorCodes(refused)).toEqual(['USER_ERASED']);
    const charged = await recordEvent(sg, { token: late.impressionToken });
    expect(charged.chargedMicros).toBeGreaterThan(0);
    expect(await sg.runtime.AdEvent.countDocuments({ userId: 'u-gone' })).toBe(0);
    expect(await rt.exposures.get('u-gone')).toEqual([]);
  });
});
