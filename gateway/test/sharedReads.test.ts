import { type Caller, DEV_INTERNAL_SECRET, signInternalContext } from '@attention-mesh/platform';
import { waitFor } from '@attention-mesh/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { createSubgraphAgent, MeshDataSource, type SharedReads } from '../src/dataSource.js';
import { InFlight } from '../src/dedupe/inFlight.js';
import { useInternalContext } from '../src/plugins/useInternalContext.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';

type ProcessArgs = Parameters<MeshDataSource['process']>[0];

const SDL =
  'type Query { profile(id: ID!): Profile } type Mutation { touch(id: ID!): Profile } type Profile { id: ID! name: String }';
const QUERY = 'query($id: ID!) { profile(id: $id) { id name } }';
const MUTATION = 'mutation($id: ID!) { touch(id: $id) { id name } }';

let subgraph: FakeSubgraph;
const agent = createSubgraphAgent();
afterEach(async () => {
  await subgraph?.stop();
});
afterAll(() => agent.close());

/** A subgraph whose answers wait until the test opens the gate, so that calls overlap. */
async function heldSubgraph() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const answer = async ({ id }: { id: string }) => {
    await gate;
    return { id, name: `name-${id}` };
  };
  subgraph = await startFakeSubgraph(SDL, { profile: answer, touch: answer });
  return open;
}

function source(shared: SharedReads): MeshDataSource {
  return new MeshDataSource(
    'profiles',
    subgraph.url,
    agent,
    [useInternalContext(DEV_INTERNAL_SECRET, 60_000)],
    undefined,
    shared,
  );
}

/** A subgraph call as the query planner makes it for a client operation of `kind` by `caller`. */
function call(data: MeshDataSource, caller: Caller, kind: 'query' | 'mutation', requestId: string) {
  const context: GatewayContext = {
    requestId,
    caller,
    internalContext: signInternalContext(caller, DEV_INTERNAL_SECRET, { ttlMs: 60_000 }),
  };
  return data.process({
    kind: 'incoming operation',
    request: { query: kind === 'query' ? QUERY : MUTATION, variables: { id: 'p1' } },
    context,
    incomingRequestContext: { operation: { operation: kind }, context },
  } as unknown as ProcessArgs);
}

const ALICE: Caller = { userId: 'usr-alice', scopes: ['person'] };
const BOB: Caller = { userId: 'usr-bob', scopes: ['person'] };

describe('identical subgraph reads in flight', () => {
  it('are sent once for one caller and once per other caller, each waiter with its own copy', async () => {
    const open = await heldSubgraph();
    const shared = new InFlight() as SharedReads;
    const data = source(shared);
    const calls = [
      call(data, ALICE, 'query', 'r1'),
      call(data, ALICE, 'query', 'r2'),
      call(data, BOB, 'query', 'r3'),
    ];
    await waitFor(
      async () => ({ waiting: shared.waiters(), sent: subgraph.requests.length }),
      (s) => s.waiting === 3 && s.sent === 2,
    );
    open();
    const [a, b, c] = (await Promise.all(calls)).map((r) => r.data as { profile: { name: string } });
    expect(subgraph.requests.map((r) => r.caller.userId).sort()).toEqual(['usr-alice', 'usr-bob']);
    const profile = { profile: { id: 'p1', name: 'name-p1' } };
    expect([a, b, c]).toEqual([profile, profile, profile]);
    // The planner writes into what it gets: one waiter's copy must not be another's.
    expect(a).not.toBe(b);
    if (a) a.profile.name = 'changed';
    expect(b).toEqual(profile);
  });

  it('are never shared for a client mutation', async () => {
    const open = await heldSubgraph();
    const shared = new InFlight() as SharedReads;
    const data = source(shared);
    const calls = [call(data, ALICE, 'mutation', 'r1'), call(data, ALICE, 'mutation', 'r2')];
    await waitFor(
      async () => subgraph.requests.length,
      (n) => n === 2,
    );
    expect(shared.waiters()).toBe(0);
    open();
    await Promise.all(calls);
  });
});
