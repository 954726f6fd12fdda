import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningSubgraph, startSubgraph } from '@attention-mesh/platform';
import { adminHeaders, gql, testConfig, waitFor } from '@attention-mesh/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DecisionDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, type DecisionOut, iso, ok, placement, REQUEST, recordEvent } from './world.js';

const CAMPAIGNS = ['cmp-rs-a', 'cmp-rs-b', 'cmp-rs-c'];
const DAY_KEY = () => new Date().toISOString().slice(0, 10);
/** The built service (cross-package and process tests run against the workspaces' dist). */
const ADS_MAIN = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * The ads subgraph on one database and bus, as a deployment restarting its pod: in this process
 * (`start`) or as its own process (`spawn`, to be killed). Small batches, so that many group commits
 * are in flight when the first process goes.
 */
function deployment() {
  const env = {
    MONGODB_DB: `t_ads_rs_${randomBytes(4).toString('hex')}`,
    EVENT_BUS_DB: `t_bus_${randomBytes(4).toString('hex')}`,
    ADS_DECISION_BATCH_MAX: '4',
  };
  const mongoUri = inject('mongoUri');
  const config = testConfig('ads', mongoUri, env, adsSubgraph.config);
  return {
    start: async () =>
      (await startSubgraph(adsSubgraph, config, {
        busDbName: env.EVENT_BUS_DB,
      })) as RunningSubgraph<AdsRuntime>,
    spawn: async (): Promise<{ url: string; child: ChildProcess }> => {
      const child = spawn(process.execPath, [ADS_MAIN], {
        env: {
          ...process.env,
          ...env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          HOST: '127.0.0.1',
          PORT: '0',
          MONGODB_URI: mongoUri,
          MODELS_DIR: mkdtempSync(join(tmpdir(), 'mesh-models-')),
          ADS_EXPLORATION_EPSILON: '0',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`ads exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const m = /"url":"([^"]+)"/.exec(line);
          if (m?.[1] && line.includes('subgraph ready')) resolve(m[1]);
        });
      });
      return { url, child };
    },
    drop: async (sg: RunningSubgraph<AdsRuntime>) => {
      await sg.connection.dropDatabase().catch(() => {});
      await sg.connection
        .useDb(env.EVENT_BUS_DB, { useCache: false })
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
    ['killed (SIGKILL: nothing flushed after it)', true],
  ])(
    'loses no logged decision or reservation, and charges each redeemed token once: %s',
    async (_, crash) => {
      const d = deployment();
      const inProcess = crash ? undefined : await d.start();
      const spawned = crash ? await d.spawn() : undefined;
      // The world helpers only call the service's URL.
      const first = { url: (inProcess ?? spawned)!.url } as RunningSubgraph<AdsRuntime>;
      await advertiser(first, 'adv-rs');
      await placement(first, 'plc-rs');
      for (const [i, id] of CAMPAIGNS.entries())
        await campaign(first, id, 'adv-rs', {
          targeting: { placementIds: ['plc-rs'] },
          bidMicros: 2_000_000 + i * 100_000,
          dailyBudgetMicros: 1_000_000_000,
        });

      // Eight clients keep requesting until the first process goes (once 40 were answered): the requests
      // in flight then finish while it stops, or fail when it is killed.
      const answered: DecisionOut[] = [];
      let going = false;
      const client = async (c: number) => {
        for (let i = 0; !going; i++) {
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
      going = true;
      if (spawned) {
        const exited = new Promise((resolve) => spawned.child.once('exit', resolve));
        spawned.child.kill('SIGKILL');
        await exited;
      } else await inProcess!.stop();
      await clients;

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
