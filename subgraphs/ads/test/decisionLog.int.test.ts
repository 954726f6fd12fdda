import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adUnit, evaluatePolicy } from '@attention-mesh/ml/training';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportDecisions } from '../src/decision/decisionExport.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, placement, recordEvent, requestAd } from './world.js';

async function world(sg: RunningSubgraph<AdsRuntime>) {
  await advertiser(sg, 'adv-1');
  await placement(sg, 'plc-1', { auctionType: 'SECOND_PRICE' });
  await campaign(sg, 'cmp-hi', 'adv-1', { targeting: { placementIds: ['plc-1'] }, bidMicros: 3_000_000 });
  await campaign(sg, 'cmp-lo', 'adv-1', { targeting: { placementIds: ['plc-1'] }, bidMicros: 1_000_000 });
}

/** The built `npm run ope` CLI (cross-package tests run against the workspaces' dist). */
const OPE_CLI = fileURLToPath(new URL('../../../packages/ml/dist/cli/ope.js', import.meta.url));

async function exported(sg: RunningSubgraph<AdsRuntime>) {
  const lines: string[] = [];
  const counts = await exportDecisions(sg.runtime, (l) => {
    lines.push(l);
  });
  return { counts, lines, records: lines.map((l) => JSON.parse(l)) };
}

describe('the ad decision log for off-policy evaluation', () => {
  describe('without exploration', () => {
    let sg: RunningSubgraph<AdsRuntime>;
    beforeAll(async () => {
      sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
      await world(sg);
    });
    afterAll(() => sg?.stop());

    it('chooses greedily with propensity 1 and logs the candidates with their scores', async () => {
      for (let i = 0; i < 5; i++) {
        const d = await requestAd(sg, { placementId: 'plc-1' });
        expect(d.ad?.id).toBe('cmp-hi-ad');
        expect(d.propensity).toBe(1);
        const doc = await sg.runtime.Decision.findById(d.id).lean();
        expect(doc).toMatchObject({ explored: false, explorationEpsilon: 0, explorationSet: 2 });
        expect(doc?.considered?.map((c) => [c.adId, c.bidType, c.ecpmMicros, c.eligible])).toEqual([
          ['cmp-hi-ad', 'CPM', 3_000_000, true],
          ['cmp-lo-ad', 'CPM', 1_000_000, true],
        ]);
        expect(doc?.considered?.[0]?.pctr).toBeGreaterThan(0);
      }
    });
  });

  describe('with exploration (ADS_EXPLORATION_EPSILON 0.5)', () => {
    let sg: RunningSubgraph<AdsRuntime>;
    beforeAll(async () => {
      sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'), {
        env: { ADS_EXPLORATION_EPSILON: '0.5' },
      });
      await world(sg);
    });
    afterAll(() => sg?.stop());

    it('logs each choice with its propensity, joins clicks, and the export feeds the estimators', async () => {
      const byAd = new Map<string, number>();
      let clickedLo = 0;
      for (let i = 0; i < 40; i++) {
        const d = await requestAd(sg, { placementId: 'plc-1' });
        const ad = d.ad!.id;
        byAd.set(ad, (byAd.get(ad) ?? 0) + 1);
        // Greedy 0.5 + exploration 0.5 / 2; the other one only by exploration.
        expect(d.propensity).toBeCloseTo(ad === 'cmp-hi-ad' ? 0.75 : 0.25, 12);
        // An explored outranked ad pays the floor (second price among none it outranks), never its bid.
        if (ad === 'cmp-lo-ad') expect(d.priceMicros).toBeLessThan(1_000_000);
        await recordEvent(sg, { token: d.impressionToken });
        if (ad === 'cmp-lo-ad') {
          await recordEvent(sg, { token: d.clickToken });
          clickedLo++;
        }
      }
      expect(byAd.get('cmp-lo-ad')).toBeGreaterThan(0);
      const { counts, lines, records } = await exported(sg);
      expect(counts).toMatchObject({ decisions: 40, shown: 40, clicks: clickedLo });
      expect(records[0]).toMatchObject({ kind: 'ad', epsilon: 0.5, eligible: 2, shown: true });
      expect(records[0]).not.toHaveProperty('userId');
      // Logging policy on itself: the observed CTR. Greedy-eCPM never shows the clicked ad: IPS 0.
      const logging = evaluatePolicy(records.map((r) => adUnit('logging', r)));
      expect(logging.estimates.ips.value).toBeCloseTo(clickedLo / 40, 12);
      const greedy = evaluatePolicy(records.map((r) => adUnit('greedy-ecpm', r)));
      expect(greedy.estimates.ips.value).toBe(0);
      // Uniform: every decision weighs 0.5 / propensity; clicked ones (all 'lo') weigh 0.5 / 0.25 = 2.
      const uniform = evaluatePolicy(records.map((r) => adUnit('uniform', r)));
      expect(uniform.estimates.ips.value).toBeCloseTo((2 * clickedLo) / 40, 12);

      // The same export through the CLI: a table with the observed CTR and each policy's estimates.
      const dir = mkdtempSync(join(tmpdir(), 'ope-'));
      try {
        const file = join(dir, 'decisions.jsonl');
        writeFileSync(file, lines.join(''));
        const out = execFileSync(
          process.execPath,
          [OPE_CLI, '--log', file, '--policy', 'greedy-ecpm,uniform'],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
        expect(out).toContain(`logging policy observed: ${pct(clickedLo / 40)}`);
        expect(out.split('\n').find((l) => l.startsWith('greedy-ecpm'))).toContain(`${pct(0)} [`);
        expect(out.split('\n').find((l) => l.startsWith('uniform'))).toContain(pct((2 * clickedLo) / 40));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
