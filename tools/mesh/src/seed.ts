import { demoWorld } from './demoWorld.js';

/** Sends one operation to the gateway and fails loudly on any error. */
async function call(
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
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
 * Seeds the demo world through the gateway (so it passes the same validation as any client) when the
 * mesh has no users yet. Every write is idempotent, so an interrupted seed can simply run again.
 * Returns false when there was something already.
 */
export async function seedIfEmpty(
  gatewayUrl: string,
  log: (line: string) => void = () => {},
): Promise<boolean> {
  const existing = await call(gatewayUrl, '{ users(first: 1) { edges { cursor } } }', {});
  if ((existing.users as { edges: unknown[] }).edges.length > 0) return false;
  const world = demoWorld();
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
      await Promise.all(list.slice(i, i + 8).map((input) => call(gatewayUrl, CREATE[kind]!, { input })));
    }
    log(`seeded ${list.length} ${kind}`);
  }
  for (let i = 0; i < world.events.length; i += 500) {
    const data = await call(
      gatewayUrl,
      'mutation($events: [AttentionEventInput!]!) { recordAttention(events: $events) { accepted duplicates rejected { index code message } } }',
      { events: world.events.slice(i, i + 500) },
    );
    const result = data.recordAttention as { rejected: { index: number; code: string; message: string }[] };
    if (result.rejected.length)
      throw new Error(`seeding rejected events: ${JSON.stringify(result.rejected.slice(0, 3))}`);
  }
  log(`seeded ${world.events.length} attention events`);
  return true;
}
