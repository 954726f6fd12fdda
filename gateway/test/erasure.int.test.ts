import { gql, waitFor } from '@attention-mesh/testkit';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';

/**
 * Erasure end to end, through the gateway over the five real subgraphs and the demo world: a demo
 * user gets data in every subgraph (consent, attention events, feedback, ad requests and an impression,
 * recommendations served), erases themself, and once `erasureStatus` is complete no document of any
 * subgraph's database, nor of the bus database, holds the id; a replayed event, feedback, an ad
 * request and a sign-up for the id are refused with USER_ERASED. Prints the erasure time.
 */

const PERSON = 'usr-demo-07';
let mesh: DemoMesh;
let person: Record<string, string>;
let publisher: Record<string, string>;
const stamp = Date.now().toString(36);

async function call<T>(
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
) {
  return gql<T>(mesh.gateway.url, query, variables, headers);
}
async function ok<T>(
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const res = await call<T>(headers, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

/** The id standing alone (not inside a longer id such as usr-demo-070). */
const holdsId = (text: string, id: string) =>
  new RegExp(`(^|[^A-Za-z0-9_.:@-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_.:@-]|$)`).test(
    text,
  );

/** Every document of every collection of the database that holds the id: `collection: _id`. */
async function documentsWithId(conn: Connection, id: string): Promise<string[]> {
  const found: string[] = [];
  for (const { name } of await conn.db!.listCollections().toArray()) {
    for (const doc of await conn.db!.collection(name).find({}).toArray())
      if (holdsId(JSON.stringify(doc), id)) found.push(`${name}: ${String(doc._id)}`);
  }
  return found;
}

function databases(): { name: string; conn: Connection }[] {
  const out = mesh.subgraphs.map((s) => ({ name: s.name as string, conn: s.connection }));
  out.push({ name: 'bus', conn: mesh.subgraphs[0]!.connection.useDb(mesh.busDbName, { useCache: false }) });
  return out;
}

const event = (n: number) => ({
  clientId: `er-evt-${stamp}-${n}`,
  impressionId: `er-imp-${stamp}-${Math.floor(n / 3)}`,
  sessionId: `er-sess-${stamp}`,
  userId: PERSON,
  target: { type: 'ITEM', id: 'itm-demo-003' },
  category: 'sports',
  type: n % 3 === 0 ? 'IMPRESSION' : n % 3 === 1 ? 'VIEWABLE' : 'CLICK',
  visibleFraction: 0.9,
  durationMs: 2_000,
  occurredAt: new Date().toISOString(),
});
const RECORD =
  'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted dropped rejected { index code } } }';
const FEEDBACK = 'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }';
const feedback = (clientId: string) => ({
  input: { clientId, userId: PERSON, target: { type: 'ITEM', id: 'itm-demo-003' }, kind: 'LIKE' },
});
const REQUEST_ADS = `mutation($u: ID!) { requestAds(input: { placementId: "plc-demo-top", userId: $u, context: { country: "FR", device: "desktop" } }) { id impressionToken } }`;
const STATUS = `query($id: ID!) { erasureStatus(userId: $id) { requestedAt completedAt services { service state completedAt removed } } }`;

interface Status {
  requestedAt: string;
  completedAt: string | null;
  services: { service: string; state: string; completedAt: string | null; removed: number }[];
}

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'));
  person = await bearer({ sub: PERSON });
  const created = await ok<{ createApiKey: { key: string } }>(
    await adminBearer(),
    'mutation { createApiKey(input: { partnerId: "pub-demo", name: "erasure test", scopes: ["ads:request", "events:write"] }) { key } }',
  );
  publisher = { 'x-api-key': created.createApiKey.key };
}, 240_000);
afterAll(async () => {
  await mesh?.stop();
});

describe('eraseUser', () => {
  it('leaves no document with the id in any subgraph or the bus, and refuses the id afterwards', async () => {
    // Data in every subgraph, through the gateway.
    await ok(
      person,
      'mutation($id: ID!) { updateConsent(userId: $id, consent: { personalization: true, adsPersonalization: true, analytics: true }) { id } }',
      { id: PERSON },
    );
    const recorded = await ok<{ recordAttention: { accepted: number } }>(person, RECORD, {
      e: [0, 1, 2, 3, 4, 5].map(event),
    });
    expect(recorded.recordAttention.accepted).toBeGreaterThan(0);
    await ok(person, FEEDBACK, feedback(`er-fb-${stamp}-1`));
    const decision = await ok<{ requestAds: { impressionToken: string | null } }>(
      { ...publisher, ...person },
      REQUEST_ADS,
      { u: PERSON },
    );
    if (decision.requestAds.impressionToken)
      await ok({}, 'mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }', {
        t: decision.requestAds.impressionToken,
      });
    await ok(
      person,
      'query($id: ID!) { user(id: $id) { recommendations(first: 5) { edges { node { id } } } } }',
      {
        id: PERSON,
      },
    );
    // Consumers and write-behind are asynchronous: every subgraph's database holds the id in the end.
    for (const db of databases())
      await waitFor(
        () => documentsWithId(db.conn, PERSON),
        (found) => found.length > 0,
        { timeoutMs: 60_000 },
      );

    const t0 = Date.now();
    const erased = await ok<{ eraseUser: Status }>(
      person,
      'mutation($id: ID!) { eraseUser(id: $id) { requestedAt completedAt services { service state removed } } }',
      { id: PERSON },
    );
    expect(erased.eraseUser.services[0]).toMatchObject({ service: 'users', state: 'DONE', removed: 1 });
    const done = await waitFor(
      async () => (await ok<{ erasureStatus: Status }>(person, STATUS, { id: PERSON })).erasureStatus,
      (s) => s.completedAt !== null,
      { timeoutMs: 60_000 },
    );
    const ms = Date.parse(done.completedAt!) - Date.parse(done.requestedAt);
    console.log(
      `erasure of ${PERSON} on the demo world: ${ms} ms from eraseUser to completedAt (${Date.now() - t0} ms seen by the client); ` +
        done.services
          .map(
            (s) =>
              `${s.service} ${s.removed} at +${Date.parse(s.completedAt!) - Date.parse(done.requestedAt)} ms`,
          )
          .join(', '),
    );
    expect(done.services.map((s) => s.service)).toEqual([
      'users',
      'attention',
      'recommendation',
      'ads',
      'feedback',
    ]);
    expect(done.services.every((s) => s.state === 'DONE')).toBe(true);
    expect(done.services.find((s) => s.service === 'attention')!.removed).toBeGreaterThan(0);

    for (const db of databases())
      expect({ db: db.name, found: await documentsWithId(db.conn, PERSON) }).toEqual({
        db: db.name,
        found: [],
      });

    // Erasing again answers the same erasure.
    const again = await ok<{ eraseUser: Status }>(
      person,
      'mutation($id: ID!) { eraseUser(id: $id) { requestedAt completedAt } }',
      { id: PERSON },
    );
    expect(again.eraseUser).toEqual({ requestedAt: done.requestedAt, completedAt: done.completedAt });

    // A replayed event, new feedback, an ad request and a sign-up with the id are refused.
    const replay = await ok<{
      recordAttention: { accepted: number; rejected: { index: number; code: string }[] };
    }>({ ...publisher, ...person }, RECORD, {
      e: [event(0), { ...event(9), userId: undefined, anonymousId: `anon-${stamp}` }],
    });
    expect(replay.recordAttention.accepted).toBe(1);
    expect(replay.recordAttention.rejected).toEqual([{ index: 0, code: 'USER_ERASED' }]);
    const fb = await call(person, FEEDBACK, feedback(`er-fb-${stamp}-2`));
    expect(fb.errors?.[0]?.extensions?.code).toBe('USER_ERASED');
    const ads = await call({ ...publisher, ...person }, REQUEST_ADS, { u: PERSON });
    expect(ads.errors?.[0]?.extensions?.code).toBe('USER_ERASED');
    const signUp = await call(
      {},
      'mutation($id: ID!) { createUser(input: { id: $id, displayName: "Back" }) { id } }',
      { id: PERSON },
    );
    expect(signUp.errors?.[0]?.extensions?.code).toBe('USER_ERASED');
    for (const db of databases()) expect(await documentsWithId(db.conn, PERSON)).toEqual([]);
  }, 180_000);
});
