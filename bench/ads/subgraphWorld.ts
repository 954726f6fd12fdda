/** The `world.ts` world written straight into the ads subgraph's collections (for `subgraph.ts`). */
import type { AdsRuntime } from '../../subgraphs/ads/dist/runtime.js';
import type { World } from './world.js';

/** Writes the generated world into the subgraph's collections, as its mutations would store it. */
export async function writeWorld(models: AdsRuntime, world: World, now: number): Promise<void> {
  const advertisers = new Map<string, string>();
  for (const c of world.campaigns)
    if (!advertisers.has(c.advertiserId)) advertisers.set(c.advertiserId, c.timezone);
  const chunks = async <T>(
    model: { insertMany(docs: T[], o: { ordered: false }): Promise<unknown> },
    docs: T[],
  ) => {
    for (let i = 0; i < docs.length; i += 1000)
      await model.insertMany(docs.slice(i, i + 1000), { ordered: false });
  };
  await chunks(
    models.Advertiser,
    [...advertisers].map(([_id, timezone]) => ({ _id, name: _id, timezone, createdAt: now })),
  );
  await chunks(
    models.Placement,
    world.placements.map((p) => ({
      _id: p.id,
      name: p.id,
      width: p.width,
      height: p.height,
      floorMicros: p.floorMicros,
      auctionType: p.auctionType,
      createdAt: now,
    })),
  );
  await chunks(
    models.Campaign,
    world.campaigns.map((c) => ({
      _id: c.id,
      advertiserId: c.advertiserId,
      name: c.id,
      status: c.status,
      dailyBudgetMicros: c.dailyBudgetMicros,
      totalBudgetMicros: c.totalBudgetMicros,
      startAt: c.startAt,
      endAt: c.endAt,
      bidType: c.bidType,
      bidMicros: c.bidMicros,
      pacing: c.pacing,
      targeting: c.targeting,
      schedule: c.schedule,
      frequencyCaps: c.frequencyCaps.map((f) => ({
        scope: f.scope,
        max: f.max,
        windowSeconds: f.windowMs / 1000,
      })),
      blockedCategories: c.blockedCategories,
      createdAt: now,
      updatedAt: now,
    })),
  );
  await chunks(
    models.Ad,
    world.campaigns.flatMap((c) =>
      c.ads.map((a) => ({
        _id: a.id,
        campaignId: c.id,
        name: a.id,
        status: a.status,
        creativeUrl: 'https://cdn.example.com/a.png',
        landingUrl: 'https://example.com/',
        width: a.width,
        height: a.height,
        createdAt: now,
      })),
    ),
  );
}
