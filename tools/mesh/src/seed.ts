import { type DemoWorld, demoWorld } from './demoWorld.js';

/** Sends one operation to the gateway and fails loudly on any error. */
async function call(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  if (body.errors?.length) {
    const shown = body.errors.slice(0, 3).map((e) => e.message.slice(0, 300));
    throw new Error(`seeding failed (${body.errors.length} errors): ${shown.join('; ')}`);
  }
  return body.data ?? {};
}

const CREATE: Record<string, string> = {
  users: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
  items: 'mutation($input: CreateItemInput!) { createItem(input: $input) { id } }',
  advertisers: 'mutation($input: CreateAdvertiserInput!) { createAdvertiser(input: $input) { id } }',
  placements: 'mutation($input: CreatePlacementInput!) { createPlacement(input: $input) { id } }',
  campaigns: 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
  ads: 'mutation($input: CreateAdInput!) { createAd(input: $input) { id } }',
  feedback: 'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }',
};

/**
 * Whether the demo world should be (re)seeded: the mesh has no users yet, or it holds an interrupted
 * demo seed (its users exist, but the attention events, which go in last, have not reached the last
 * consenting user). A mesh holding other data is left alone.
 */
/** The last signed-in event's user among those who allow analytics: whose attention shows a finished seed. */
function lastRecordedUser(world: DemoWorld): string {
  const consenting = new Set(
    world.users.filter((u) => (u.consent as { analytics: boolean }).analytics).map((u) => u.id as string),
  );
  return world.events.findLast((e) => consenting.has(e.userId as string))?.userId as string;
}

async function needsSeed(
  gatewayUrl: string,
  world: DemoWorld,
  headers: Record<string, string>,
): Promise<boolean> {
  const lastUser = lastRecordedUser(world);
  const state = await call(
    gatewayUrl,
    'query($first: ID!, $last: ID!) { users(first: 1) { edges { cursor } } first: user(id: $first) { id } last: user(id: $last) { attention { events } } }',
    { first: world.users[0]!.id, last: lastUser },
    headers,
  );
  if ((state.users as { edges: unknown[] }).edges.length === 0) return true;
  const last = state.last as { attention: { events: number } } | null;
  return state.first !== null && (last === null || last.attention.events === 0);
}

export interface SeedOptions {
  /** Sent with every call: the demo world is written by an admin (`Authorization: Bearer <admin token>`). */
  headers?: Record<string, string>;
}

/**
 * Seeds the demo world through the gateway (so it passes the same validation and access rules as any
 * client) into an empty mesh, or finishes an interrupted seed: every write is idempotent. Returns
 * whether it seeded.
 */
export async function seedIfEmpty(
  gatewayUrl: string,
  log: (line: string) => void = () => {},
  options: SeedOptions = {},
): Promise<boolean> {
  const headers = options.headers ?? {};
  const world = demoWorld();
  if (!(await needsSeed(gatewayUrl, world, headers))) return false;
  for (const kind of [
    'users',
    'items',
    'advertisers',
    'placements',
    'campaigns',
    'ads',
    'feedback',
  ] as const) {
    const list = world[kind];
    // A few at a time: fast, without flooding a 2-core machine.
    for (let i = 0; i < list.length; i += 8) {
      await Promise.all(
        list.slice(i, i + 8).map((input) => call(gatewayUrl, CREATE[kind]!, { input }, headers)),
      );
    }
    log(`seeded ${list.length} ${kind}`);
  }
  for (let i = 0; i < world.events.length; i += 500) {
    const data = await call(
      gatewayUrl,
      'mutation($events: [AttentionEventInput!]!) { recordAttention(events: $events) { accepted duplicates rejected { index code message } } }',
      { events: world.events.slice(i, i + 500) },
      headers,
    );
    const result = data.recordAttention as { rejected: { index: number; code: string; message: string }[] };
    if (result.rejected.length)
      throw new Error(`seeding rejected events: ${JSON.stringify(result.rejected.slice(0, 3))}`);
  }
  // Attention statistics are written just behind the events: wait until the last shows, so that a
  // finished seed reads as finished.
  for (let tries = 0; ; tries++) {
    const data = await call(
      gatewayUrl,
      'query($id: ID!) { user(id: $id) { attention { events } } }',
      { id: lastRecordedUser(world) },
      headers,
    );
    if (((data.user as { attention: { events: number } } | null)?.attention.events ?? 0) > 0) break;
    if (tries >= 300) throw new Error('the seeded attention events did not show in the statistics');
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`seeded ${world.events.length} attention events`);
  return true;
}
