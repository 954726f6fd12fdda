import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AdsState } from '../src/adsState.js';
import { signAdToken, verifyAdToken } from '../src/ledger/adTokens.js';
import type { AdEventDoc, SpendDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, placement, RECORD, recordEvent, requestAd } from './world.js';

let sg: RunningSubgraph<AdsRuntime>;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-1', 'Asia/Tokyo');
  for (const p of ['plc-cpm', 'plc-cpc', 'plc-budget']) await placement(sg, p);
  await campaign(sg, 'cmp-cpm', 'adv-1', { targeting: { placementIds: ['plc-cpm'] } });
  await campaign(sg, 'cmp-cpc', 'adv-1', {
    targeting: { placementIds: ['plc-cpc'] },
    bidType: 'CPC',
    bidMicros: 400_000,
  });
  // 2,000 micros per impression (CPM 2,000,000, first price): the budget allows exactly 5 impressions.
  await campaign(sg, 'cmp-budget', 'adv-1', {
    targeting: { placementIds: ['plc-budget'] },
    dailyBudgetMicros: 10_000,
    totalBudgetMicros: 10_000,
  });
});
afterAll(() => sg?.stop());

const spendOf = async (campaignId: string) =>
  (await sg.runtime.Spend.findById(`${campaignId}|total`).lean<SpendDoc>())?.spentMicros ?? 0;

describe('tokens', () => {
  it('rejects a tampered, malformed or expired token and changes nothing', async () => {
    const d = await requestAd(sg, { placementId: 'plc-cpm' });
    const token = d.impressionToken!;
    const [body, sig] = token.split('.') as [string, string];
    const claims = verifyAdToken(token, sg.runtime.ads.config.ads.tokenSecret, Date.now());
    const richer = Buffer.from(JSON.stringify({ ...claims, ch: 1 })).toString('base64url');
    const expired = signAdToken({ ...claims, exp: Date.now() - 1 }, sg.runtime.ads.config.ads.tokenSecret);
    const forged = signAdToken(claims, 'another-secret-of-at-least-thirty-two-chars');
    for (const bad of [`${richer}.${sig}`, `${body}.${sig.slice(0, -2)}xx`, 'nonsense', forged, expired]) {
      const res = await gql(sg.url, RECORD, { i: { token: bad } });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.field).toBe('input.token');
    }
    expect(await sg.runtime.AdEvent.countDocuments({})).toBe(0);
    // An impression token cannot record a click.
    const res = await gql(sg.url, RECORD, { i: { token, type: 'CLICK' } });
    expect(res.errors?.[0]?.extensions?.field).toBe('input.type');
  });
});

describe('the spend ledger', () => {
  it('charges a CPM impression once, however often and however concurrently it is replayed', async () => {
    const d = await requestAd(sg, { placementId: 'plc-cpm', userId: 'usr-1' });
    const before = await spendOf('cmp-cpm');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => recordEvent(sg, { token: d.impressionToken, viewable: true })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    for (const r of results)
      expect(r).toMatchObject({ decisionId: d.id, type: 'IMPRESSION', chargedMicros: 2_000 });
    expect((await spendOf('cmp-cpm')) - before).toBe(2_000);
    // The click of a CPM ad is counted, not charged.
    const click = await recordEvent(sg, { token: d.clickToken });
    expect(click).toMatchObject({ type: 'CLICK', chargedMicros: 0, duplicate: false });
    expect((await spendOf('cmp-cpm')) - before).toBe(2_000);
  });

  it('charges a CPC ad on the click (even without an impression), never above the bid, conversions free', async () => {
    const d = await requestAd(sg, { placementId: 'plc-cpc' });
    expect(d.bidType).toBe('CPC');
    expect(d.chargeMicros).toBeLessThanOrEqual(400_000);
    const click = await recordEvent(sg, { token: d.clickToken });
    expect(click.chargedMicros).toBe(d.chargeMicros);
    const conversion = await recordEvent(sg, { token: d.clickToken, type: 'CONVERSION' });
    expect(conversion).toMatchObject({ type: 'CONVERSION', chargedMicros: 0, duplicate: false });
    const impression = await recordEvent(sg, { token: d.impressionToken });
    expect(impression.chargedMicros).toBe(0);
    expect(await spendOf('cmp-cpc')).toBe(d.chargeMicros);
  });

  it('keeps spend within budget under parallel decisions and events, and equal to the charged events', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 24 }, (_, i) => requestAd(sg, { placementId: 'plc-budget', userId: `usr-b${i}` })),
    );
    const filled = decisions.filter((d) => d.ad);
    // Reservations hold the budget: exactly five decisions can be paid for.
    expect(filled).toHaveLength(5);
    for (const d of decisions.filter((d) => !d.ad)) expect(d.noFillReason).toBe('BUDGET_EXHAUSTED');
    // Every impression twice, all at once.
    await Promise.all(
      filled.flatMap((d) => [d, d]).map((d) => recordEvent(sg, { token: d.impressionToken })),
    );
    const events = await sg.runtime.AdEvent.find({ campaignId: 'cmp-budget' }).lean<AdEventDoc[]>();
    const charged = events.reduce((s, e) => s + e.chargedMicros, 0);
    expect(events).toHaveLength(5);
    expect(await spendOf('cmp-budget')).toBe(charged);
    expect(charged).toBeLessThanOrEqual(10_000);
    const pacing = await gql<{ campaign: { pacing: { spentTodayMicros: number; reservedMicros: number } } }>(
      sg.url,
      '{ campaign(id: "cmp-budget") { spentMicros pacing { spentTodayMicros reservedMicros day } } }',
      {},
      adminHeaders(),
    );
    expect(pacing.data?.campaign.pacing).toMatchObject({ spentTodayMicros: charged, reservedMicros: 0 });
    expect((await requestAd(sg, { placementId: 'plc-budget' })).noFillReason).toBe('BUDGET_EXHAUSTED');
  });

  it('releases the reservation of a decision whose tokens expired unused', async () => {
    const rt = sg.runtime.ads;
    const book = rt.book;
    const spare = await requestAd(sg, { placementId: 'plc-cpm' });
    const day = rt.days.dayOf('Asia/Tokyo', Date.now()).key;
    expect(book.snapshot('cmp-cpm', day).reservedToday).toBeGreaterThanOrEqual(spare.chargeMicros!);
    const held = book.snapshot('cmp-cpm', day).reservedToday;
    expect(book.expire(Date.now() + rt.config.ads.tokenTtlMs + 1)).toBeGreaterThan(0);
    expect(book.snapshot('cmp-cpm', day).reservedToday).toBeLessThan(held);
    expect(book.snapshot('cmp-cpm', day).reservedToday).toBe(0);
  });

  it('after a restart, holds the budget of decisions still open until their event comes or they expire', async () => {
    await placement(sg, 'plc-restart');
    await campaign(sg, 'cmp-restart', 'adv-1', {
      targeting: { placementIds: ['plc-restart'] },
      dailyBudgetMicros: 10_000,
      totalBudgetMicros: 10_000,
    });
    const open = [];
    for (let i = 0; i < 3; i++)
      open.push(await requestAd(sg, { placementId: 'plc-restart', userId: `usr-r${i}` }));
    const charge = open[0]!.chargeMicros!;
    expect(charge).toBe(2_000);
    await recordEvent(sg, { token: open[0]!.impressionToken });

    // A new process on the same ledger: one charge spent, two still reserved.
    const fresh = new AdsState(sg.runtime, sg.runtime.ads.config);
    await fresh.ready();
    const day = fresh.days.dayOf('Asia/Tokyo', Date.now()).key;
    const limits = fresh.catalog.index.get('cmp-restart')!;
    expect(fresh.book.snapshot('cmp-restart', day)).toMatchObject({
      spentToday: charge,
      reservedToday: 2 * charge,
    });
    expect(fresh.book.remaining('cmp-restart', limits, day)).toBe(10_000 - 3 * charge);
    expect(await fresh.recoverReservations()).toBe(0);
    // An event of an open decision turns its reservation into spend; the rest expire with their tokens.
    fresh.book.charge('cmp-restart', open[1]!.id, charge, day);
    expect(fresh.book.snapshot('cmp-restart', day)).toMatchObject({
      spentToday: 2 * charge,
      reservedToday: charge,
    });
    // (Open decisions of the other tests' campaigns were restored and expire too.)
    expect(fresh.book.expire(Date.now() + fresh.config.ads.tokenTtlMs + 1)).toBeGreaterThanOrEqual(1);
    expect(fresh.book.snapshot('cmp-restart', day).reservedToday).toBe(0);
    expect(fresh.book.remaining('cmp-restart', limits, day)).toBe(10_000 - 2 * charge);
  });

  it('publishes ad.impression and ad.click', async () => {
    const seen: string[] = [];
    const sub = sg.events.subscribe(
      'test.ads-events',
      ['ad.impression', 'ad.click'],
      async (e) => {
        seen.push(`${e.type}:${(e.data as { decisionId: string }).decisionId}`);
      },
      { pollIntervalMs: 50 },
    );
    const d = await requestAd(sg, { placementId: 'plc-cpm' });
    await recordEvent(sg, { token: d.impressionToken });
    await recordEvent(sg, { token: d.clickToken });
    await expect
      .poll(() => seen, { timeout: 8_000 })
      .toEqual(expect.arrayContaining([`ad.impression:${d.id}`, `ad.click:${d.id}`]));
    await sub.stop();
  });
});
