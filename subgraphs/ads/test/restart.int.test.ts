import { randomBytes } from 'node:crypto';
import { type RunningSubgraph, startSubgraph } from '@attention-mesh/platform';
import { adminHeaders, gql, testConfig, waitFor } from '@attention-mesh/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DecisionDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, type DecisionOut, iso, ok, placement, REQUEST, recordEvent } from './world.js';

const CAMPAIGNS = ['cmp-rs-a', 'cmp-rs-b', 'cmp-rs-c'];
const DAY_KEY = () => new Date().toISOString().slice(0, 10);

/** Starts the ads subgraph on one database and bus, as a deployment restarting its pod would. */
function deployment() {
  // Small batches, so that many group commits are in flight when the first process goes.
  const config = testConfig('ads', inject('mongoUri'), { ADS_DECISION_BATCH_MAX: '4' }, adsSubgraph.config);
  const busDbName = `t_bus_${randomBytes(4).toString('hex')}`;
  return {
    start: async () =>
      (await startSubgraph(adsSubgraph, config, { busDbName })) as RunningSubgraph<AdsRuntime>,
    drop: async (sg: RunningSubgraph<AdsRuntime>) => {
      await sg.connection.dropDatabase().catch(() => {});
      await sg.connection
        .useDb(busDbName, { useCache: false })
        .dropDatabase()
        .catch(() => {});
      await sg.stop();
    },
  };
}

describe('a restart of the ads subgraph in the middle of traffic', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it.each([
    ['stopped', false],
    ['crashed (its database connection cut, nothing flushed after it)', true],
  ])(
    'loses no logged decision or reservation, and charges each redeemed token once: %s',
    async (_, crash) => {
      const d = deployment();
      const first = await d.start();
      await advertiser(first, 'adv-rs');
      await placement(first, 'plc-rs');
      for (const [i, id] of CAMPAIGNS.entries())
        await campaign(first, id, 'adv-rs', {
          targeting: { placementIds: ['plc-rs'] },
          bidMicros: 2_000_000 + i * 100_000,
          dailyBudgetMicros: 1_000_000_000,
        });

      // Eight clients keep requesting until the first process fails them; it goes once 40 answered.
      const answered: DecisionOut[] = [];
      let refused = 0;
      const client = async (c: number) => {
        for (let i = 0; ; i++) {
          try {
            const res = await gql<{ requestAds: DecisionOut }>(
              first.url,
              REQUEST,
              { i: { placementId: 'plc-rs', userId: `usr-rs-${c}-${i}` } },
              adminHeaders(),
            );
            // A decision whose answer failed (e.g. its campaign no longer readable) counts as not answered.
            if (res.errors || !res.data?.requestAds)
              throw new Error(res.errors?.[0]?.message ?? 'no decision');
            answered.push(res.data.requestAds);
          } catch {
            refused++;
            return;
          }
        }
      };
      const clients = Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
      await waitFor(
        async () => answered.length,
        (n) => n >= 40,
        { timeoutMs: 30_000 },
      );
      if (crash) await first.connection.close(true);
      await first.stop().catch(() => {});
      await clients;
      expect(refused).toBe(8);

      const second = await d.start();
      cleanup.push(() => d.drop(second));
      const rt = second.runtime.ads;
      await rt.ready();
      const logged = await second.runtime.Decision.find({}).lean<DecisionDoc[]>();
      const ids = new Set(logged.map((x) => x._id));
      // Every answered decision was stored before its tokens went out, and is held again by the new process.
      for (const x of answered) {
        expect(ids.has(x.id)).toBe(true);
        expect(x.chargeMicros).toBeGreaterThan(0);
        expect(rt.book.holds(x.campaign!.id, x.id)).toBe(true);
      }
      // The book holds exactly what the log holds open: nothing lost, nothing twice.
      const reservedOf = (id: string) =>
        logged.filter((x) => x.campaignId === id).reduce((sum, x) => sum + x.reservedMicros, 0);
      for (const id of CAMPAIGNS) expect(rt.book.snapshot(id, DAY_KEY()).reservedTotal).toBe(reservedOf(id));

      // Tokens of the first process redeemed on the second, each twice: charged once.
      const redeemed = answered.slice(0, 20);
      for (const x of redeemed) {
        expect((await recordEvent(second, { token: x.impressionToken })).chargedMicros).toBe(x.chargeMicros);
        expect((await recordEvent(second, { token: x.impressionToken })).duplicate).toBe(true);
      }
      for (const id of CAMPAIGNS) {
        const spent = redeemed
          .filter((x) => x.campaign!.id === id)
          .reduce((sum, x) => sum + x.chargeMicros!, 0);
        const snap = rt.book.snapshot(id, DAY_KEY());
        expect(snap.spentTotal).toBe(spent);
        expect(snap.reservedTotal).toBe(reservedOf(id) - spent);
        const stored = await second.runtime.Spend.findById(`${id}|total`).lean();
        expect(stored?.spentMicros ?? 0).toBe(spent);
      }

      // Wins the first process counted add up to the logged decisions when it stopped (written at its
      // stop); a crash loses at most the unwritten counts, never counts one twice.
      for (const id of CAMPAIGNS) {
        const res = await ok<{ campaign: { delivery: { total: { wins: number; impressions: number } } } }>(
          second.url,
          'query($c: ID!, $f: DateTime!, $t: DateTime!) { campaign(id: $c) { delivery(from: $f, to: $t) { total { wins impressions } } } }',
          { c: id, f: iso(Date.now() - 3600_000), t: iso(Date.now() + 3600_000) },
        );
        const wins = logged.filter((x) => x.campaignId === id).length;
        const { total } = res.campaign.delivery;
        expect(total.impressions).toBe(redeemed.filter((x) => x.campaign!.id === id).length);
        if (crash) expect(total.wins).toBeLessThanOrEqual(wins);
        else expect(total.wins).toBe(wins);
      }
    },
  );
});
