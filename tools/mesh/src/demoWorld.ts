import { seededRandom } from '@attention-mesh/platform';

/**
 * A small coherent demo world, generated in code: people in a few countries reading items in six
 * categories, advertisers with campaigns on three placements, the attention events of their recent
 * sessions and the feedback they left. Events are dated relative to `now` (the mesh refuses events
 * older than 7 days).
 */

export const CATEGORIES = ['news', 'sports', 'tech', 'culture', 'science', 'travel'] as const;
const KINDS = ['ARTICLE', 'ARTICLE', 'VIDEO', 'PRODUCT'] as const;
/** Who supplies the demo items (the exposure audit groups by it). */
const PROVIDERS = ['daily-wire-co', 'indie-press', 'studio-nine'] as const;
const PEOPLE = [
  ['Ada', 'GB', 'Europe/London', 'en-GB'],
  ['Bruno', 'BR', 'America/Sao_Paulo', 'pt-BR'],
  ['Chloé', 'FR', 'Europe/Paris', 'fr'],
  ['Dmitri', 'DE', 'Europe/Berlin', 'de'],
  ['Emi', 'JP', 'Asia/Tokyo', 'ja'],
  ['Farah', 'US', 'America/New_York', 'en-US'],
  ['Gus', 'US', 'America/Los_Angeles', 'en-US'],
  ['Hana', 'JP', 'Asia/Tokyo', 'ja'],
] as const;
const DEVICES = ['desktop', 'mobile', 'mobile', 'tablet'] as const;
/** The partner that owns the demo placements (the demo publisher API key is issued to it). */
export const DEMO_PUBLISHER_ID = 'pub-demo';

export interface DemoWorld {
  users: Record<string, unknown>[];
  items: Record<string, unknown>[];
  advertisers: Record<string, unknown>[];
  placements: Record<string, unknown>[];
  campaigns: Record<string, unknown>[];
  ads: Record<string, unknown>[];
  events: Record<string, unknown>[];
  feedback: Record<string, unknown>[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (ms: number) => new Date(ms).toISOString();

export function demoWorld(now = Date.now(), seed = 7): DemoWorld {
  const rnd = seededRandom(seed);
  const hour = 3600_000;

  const users = Array.from({ length: 24 }, (_, i) => {
    const [name, country, timezone, locale] = PEOPLE[i % PEOPLE.length]!;
    const favourite = CATEGORIES[i % CATEGORIES.length]!;
    return {
      id: `usr-demo-${pad(i + 1)}`,
      displayName: `${name} ${i + 1}`,
      email: `${name
        .normalize('NFD')
        .replace(/[^A-Za-z]/g, '')
        .toLowerCase()}${i + 1}@demo.example`,
      country,
      timezone,
      locale,
      segments: [`likes-${favourite}`, i % 3 === 0 ? 'early-adopter' : 'mainstream'],
      consent: { analytics: i % 12 !== 11, personalization: i % 4 !== 3, adsPersonalization: i % 2 === 0 },
    };
  });

  const items = CATEGORIES.flatMap((category, c) =>
    Array.from({ length: 10 }, (_, k) => ({
      id: `itm-demo-${category}-${pad(k + 1)}`,
      title: `${category[0]!.toUpperCase()}${category.slice(1)} story ${k + 1}`,
      kind: KINDS[(c + k) % KINDS.length],
      category,
      tags: [category, k % 2 ? 'long-read' : 'short'],
      url: `https://demo.example/${category}/${k + 1}`,
      // Three providers of unequal size (5, 3 and 2 of each category's ten), for the exposure audit.
      provider: PROVIDERS[k < 5 ? 0 : k < 8 ? 1 : 2],
      publishedAt: iso(now - (c * 10 + k) * 5 * hour),
    })),
  );

  const placements = [
    {
      id: 'plc-demo-top',
      publisherId: DEMO_PUBLISHER_ID,
      name: 'Top leaderboard',
      width: 728,
      height: 90,
      floorMicros: 500_000,
      auctionType: 'SECOND_PRICE',
    },
    {
      id: 'plc-demo-side',
      publisherId: DEMO_PUBLISHER_ID,
      name: 'Sidebar rectangle',
      width: 300,
      height: 250,
      floorMicros: 800_000,
      auctionType: 'SECOND_PRICE',
    },
    {
      id: 'plc-demo-feed',
      publisherId: DEMO_PUBLISHER_ID,
      name: 'In-feed video',
      width: 640,
      height: 360,
      floorMicros: 2_000_000,
      auctionType: 'FIRST_PRICE',
    },
  ];
  const advertisers = [
    { id: 'adv-demo-1', name: 'Northwind Outdoor', timezone: 'Europe/Paris' },
    { id: 'adv-demo-2', name: 'Contoso Devices', timezone: 'America/New_York' },
    { id: 'adv-demo-3', name: 'Fabrikam Travel', timezone: 'Asia/Tokyo' },
  ];
  const plans: [string, string, 'CPM' | 'CPC', number, string[], string[]][] = [
    [
      'adv-demo-1',
      'Spring hiking gear',
      'CPM',
      3_000_000,
      ['travel', 'sports'],
      ['plc-demo-top', 'plc-demo-side'],
    ],
    ['adv-demo-1', 'Trail running shoes', 'CPC', 400_000, ['sports'], ['plc-demo-side']],
    [
      'adv-demo-2',
      'New laptop launch',
      'CPM',
      6_000_000,
      ['tech', 'science'],
      ['plc-demo-feed', 'plc-demo-top'],
    ],
    ['adv-demo-2', 'Headphones retargeting', 'CPC', 650_000, ['tech', 'culture'], ['plc-demo-side']],
    ['adv-demo-3', 'Weekend city breaks', 'CPM', 2_500_000, ['travel', 'culture'], ['plc-demo-top']],
    ['adv-demo-3', 'Long-haul fares', 'CPC', 900_000, ['travel', 'news'], ['plc-demo-feed']],
  ];
  const campaigns = plans.map(([advertiserId, name, bidType, bidMicros, categories, placementIds], i) => ({
    id: `cmp-demo-${i + 1}`,
    advertiserId,
    name,
    dailyBudgetMicros: (i + 2) * 25_000_000,
    totalBudgetMicros: (i + 2) * 600_000_000,
    startAt: iso(now - 3 * 24 * hour),
    endAt: iso(now + 60 * 24 * hour),
    bidType,
    bidMicros,
    pacingMode: i % 3 === 2 ? 'ASAP' : 'EVEN',
    targeting: { categories, placementIds, devices: [], countries: [] },
  }));
  const sizes: Record<string, [number, number]> = {
    'plc-demo-top': [728, 90],
    'plc-demo-side': [300, 250],
    'plc-demo-feed': [640, 360],
  };
  const ads = campaigns.flatMap((c) =>
    c.targeting.placementIds.map((placementId, k) => ({
      id: `ad-demo-${c.id.slice(9)}-${k + 1}`,
      campaignId: c.id,
      name: `${c.name} — ${placementId.slice(9)}`,
      creativeUrl: `https://cdn.demo.example/${c.id}/${placementId}.png`,
      landingUrl: `https://demo.example/landing/${c.id}`,
      width: sizes[placementId]![0],
      height: sizes[placementId]![1],
    })),
  );

  const adPlacement = new Map<string, string>(
    campaigns.flatMap((c) =>
      c.targeting.placementIds.map((p, k) => [`ad-demo-${c.id.slice(9)}-${k + 1}`, p] as const),
    ),
  );
  const events: Record<string, unknown>[] = [];
  const feedback: Record<string, unknown>[] = [];
  users.forEach((user, u) => {
    const favourite = CATEGORIES[u % CATEGORIES.length]!;
    for (let s = 0; s < 3; s++) {
      const sessionId = `ses-demo-${pad(u + 1)}-${s + 1}`;
      const device = rnd.pick(DEVICES);
      let t = now - (s * 22 + rnd.int(1, 20)) * hour;
      const visits = rnd.int(4, 8);
      for (let v = 0; v < visits; v++) {
        const category = rnd.chance(0.6) ? favourite : rnd.pick(CATEGORIES);
        const itemId = `itm-demo-${category}-${pad(rnd.int(1, 10))}`;
        const eid = () => `evt-demo-${events.length + 1}`;
        const view = `imp-demo-${pad(u + 1)}-${s + 1}-${v + 1}`;
        const country = user.country;
        const base = {
          userId: user.id,
          sessionId,
          device,
          country,
          category,
          impressionId: view,
          target: { type: 'ITEM', id: itemId },
        };
        const engaged = category === favourite ? rnd.int(8, 90) : rnd.int(1, 15);
        events.push({ ...base, clientId: eid(), type: 'IMPRESSION', occurredAt: iso(t) });
        events.push({
          ...base,
          clientId: eid(),
          type: 'VIEW_SEGMENT',
          visibleFraction: 0.5 + rnd.next() / 2,
          durationMs: engaged * 1000,
          occurredAt: iso(t + 1000),
        });
        // Activity every few seconds while reading; each credits up to 5 s of engaged time.
        for (let a = 0; a < engaged; a += rnd.int(2, 7)) {
          events.push({ ...base, clientId: eid(), type: 'ACTIVITY', occurredAt: iso(t + 1500 + a * 1000) });
        }
        events.push({
          ...base,
          clientId: eid(),
          type: 'SCROLL_DEPTH',
          scrollDepth: Math.min(1, engaged / 60),
          occurredAt: iso(t + engaged * 1000),
        });
        if (rnd.chance(0.3))
          events.push({ ...base, clientId: eid(), type: 'CLICK', occurredAt: iso(t + 3000) });
        events.push({
          ...base,
          clientId: eid(),
          type: 'PAGE_EXIT',
          occurredAt: iso(t + (engaged + 2) * 1000),
        });
        const ad = rnd.pick(ads);
        const placementId = adPlacement.get(ad.id);
        const adBase = {
          userId: user.id,
          sessionId,
          device,
          country,
          category,
          placementId,
          impressionId: `${view}-ad`,
          media: placementId === 'plc-demo-feed' ? 'VIDEO' : 'DISPLAY',
          target: { type: 'AD', id: ad.id },
        };
        events.push({
          ...adBase,
          clientId: eid(),
          type: 'IMPRESSION',
          creativeSize: { width: ad.width, height: ad.height },
          occurredAt: iso(t + 500),
        });
        events.push({
          ...adBase,
          clientId: eid(),
          type: 'VIEW_SEGMENT',
          visibleFraction: rnd.next(),
          durationMs: rnd.int(200, 4000),
          occurredAt: iso(t + 900),
        });
        if (rnd.chance(0.05))
          events.push({ ...adBase, clientId: eid(), type: 'CLICK', occurredAt: iso(t + 4000) });

        const fid = () => `fbk-demo-${feedback.length + 1}`;
        const fb = {
          userId: user.id,
          target: { type: 'ITEM', id: itemId },
          occurredAt: iso(t + engaged * 1000),
        };
        feedback.push({ ...fb, clientId: fid(), kind: 'DWELL', dwellMs: engaged * 1000 });
        if (category === favourite && rnd.chance(0.4))
          feedback.push({ ...fb, clientId: fid(), kind: 'LIKE' });
        if (category !== favourite && rnd.chance(0.1))
          feedback.push({ ...fb, clientId: fid(), kind: 'HIDE' });
        if (rnd.chance(0.15))
          feedback.push({
            ...fb,
            clientId: fid(),
            kind: 'RATING',
            rating: category === favourite ? rnd.int(4, 5) : rnd.int(1, 3),
          });
        if (rnd.chance(0.02)) {
          feedback.push({
            userId: user.id,
            target: { type: 'AD', id: ad.id },
            occurredAt: iso(t + 5000),
            clientId: fid(),
            kind: 'COMPLAINT',
            reason: 'REPETITIVE',
          });
        }
        t += (engaged + rnd.int(5, 60)) * 1000;
      }
    }
  });
  return { users, items, advertisers, placements, campaigns, ads, events, feedback };
}
