import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, callerHeaders, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsersRuntime } from '../src/runtime.js';
import { usersSubgraph } from '../src/server.js';

let sg: RunningSubgraph<UsersRuntime>;

const CHARGE = `mutation($p: ID!, $r: ID!, $f: Int!, $o: String!) {
  chargePrivacyBudget(partnerId: $p, requestId: $r, fields: $f, operation: $o) { granted epsilonPerField charged remaining resetsAt } }`;
const BUDGET = `query($p: ID) { privacyBudget(partnerId: $p) {
  partnerId day dailyEpsilon epsilonPerQuery spent remaining resetsAt } }`;

interface Charge {
  granted: boolean;
  epsilonPerField: number;
  charged: number;
  remaining: number;
  resetsAt: string;
}
const gateway = () => callerHeaders({ scopes: ['mesh:gateway'] });
const partnerKey = (partnerId: string) =>
  callerHeaders({ scopes: ['analytics:read'], partnerId, apiKeyId: `key_${partnerId}` });

const OP = 'a'.repeat(64);
async function charge(p: string, r: string, f = 1, o = OP): Promise<Charge> {
  const res = await gql<{ chargePrivacyBudget: Charge }>(sg.url, CHARGE, { p, r, f, o }, gateway());
  expect(res.errors).toBeUndefined();
  return res.data!.chargePrivacyBudget;
}

beforeAll(async () => {
  // 1 per field, 3 a day: three single-field requests fit, the fourth does not.
  sg = await startTestSubgraph(usersSubgraph, inject('mongoUri'), {
    env: { DP_EPSILON_PER_QUERY: '1', DP_DAILY_EPSILON: '3' },
  });
});
afterAll(() => sg?.stop());
beforeEach(async () => {
  await sg.runtime.PrivacyLedger.deleteMany({});
  await sg.runtime.PrivacyCharge.deleteMany({});
});

describe('chargePrivacyBudget', () => {
  it('charges fields × ε, once per request id, and refuses past the daily budget', async () => {
    expect(await charge('acme', 'r1', 2)).toMatchObject({
      granted: true,
      epsilonPerField: 1,
      charged: 2,
      remaining: 1,
    });
    // A retried request id: granted again, charged nothing.
    expect(await charge('acme', 'r1', 2)).toMatchObject({ granted: true, charged: 0, remaining: 1 });
    const refused = await charge('acme', 'r2', 2);
    expect(refused).toMatchObject({ granted: false, charged: 0, remaining: 1 });
    expect(Date.parse(refused.resetsAt) % 86_400_000).toBe(0);
    expect(await charge('acme', 'r3', 1)).toMatchObject({ granted: true, charged: 1, remaining: 0 });
    // The same id for another operation buys nothing.
    const reused = await gql(sg.url, CHARGE, { p: 'acme', r: 'r1', f: 1, o: 'b'.repeat(64) }, gateway());
    expect(errorCodes(reused)).toEqual(['CONFLICT']);
    // Another partner has its own budget.
    expect(await charge('globex', 'r1', 1)).toMatchObject({ granted: true, remaining: 2 });
  });

  it('does not overspend under concurrent charges', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => charge('acme', `c${i}`)));
    expect(answers.filter((a) => a.granted)).toHaveLength(3);
    const ledger = await sg.runtime.PrivacyLedger.findOne({ partnerId: 'acme' }).lean();
    expect(ledger?.spent).toBe(3);
  });

  it('is the gateway’s only, and checks its bounds', async () => {
    expect(errorCodes(await gql(sg.url, CHARGE, { p: 'acme', r: 'x', f: 1, o: 'xyz' }, gateway()))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const res = await gql(sg.url, CHARGE, { p: 'acme', r: 'x', f: 1, o: OP }, partnerKey('acme'));
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(sg.url, CHARGE, { p: 'acme', r: 'x', f: 51, o: OP }, gateway()))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await gql(sg.url, CHARGE, { p: 'ACME!', r: 'x', f: 1, o: OP }, gateway()))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(await gql(sg.url, CHARGE, { p: 'acme', r: 'x'.repeat(129), f: 1, o: OP }, gateway())),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

describe('privacyBudget', () => {
  it("shows a key its own partner's budget and admins any partner's", async () => {
    await charge('acme', 'r1', 2);
    const own = await gql<{ privacyBudget: Record<string, unknown> }>(sg.url, BUDGET, {}, partnerKey('acme'));
    expect(own.errors).toBeUndefined();
    expect(own.data!.privacyBudget).toMatchObject({
      partnerId: 'acme',
      dailyEpsilon: 3,
      epsilonPerQuery: 1,
      spent: 2,
      remaining: 1,
    });
    const admin = await gql<{ privacyBudget: { spent: number } }>(
      sg.url,
      BUDGET,
      { p: 'acme' },
      adminHeaders(),
    );
    expect(admin.data!.privacyBudget.spent).toBe(2);
    expect(errorCodes(await gql(sg.url, BUDGET, { p: 'globex' }, partnerKey('acme')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(sg.url, BUDGET, {}, adminHeaders()))).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await gql(sg.url, BUDGET, {}, callerHeaders({ userId: 'usr_a', scopes: ['analytics:read'] })),
      ),
    ).toEqual(['FORBIDDEN']);
  });
});
