import net from 'node:net';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { gql, startTestSubgraph } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { bearer, TEST_JWT_SECRET } from './support/jwt.js';

/**
 * Every outgoing TCP connection the process attempts (refused ones included: a cloud metadata lookup
 * off the cloud is refused or times out), read where node:http, undici and the MongoDB driver all open
 * theirs.
 */
const attempts: string[] = [];
const connect = net.Socket.prototype.connect;
function watchConnections(): void {
  net.Socket.prototype.connect = function watched(this: net.Socket, ...args: unknown[]) {
    // Node normalises the arguments to [options, callback] before this call.
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const o = (typeof first === 'object' && first !== null ? first : {}) as { host?: string; port?: number };
    attempts.push(`${o.host ?? 'localhost'}:${o.port ?? ''}`);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
}

let users: RunningSubgraph<unknown>;
let gateway: RunningGateway;

beforeAll(async () => {
  users = (await startTestSubgraph(
    usersSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  watchConnections();
  gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      SUBGRAPH_USERS_URL: users.url,
    }),
  );
}, 120_000);

afterAll(async () => {
  net.Socket.prototype.connect = connect;
  await gateway?.stop();
  await users?.stop();
});

describe('outgoing connections', () => {
  it('go only to the subgraphs while a gateway starts and serves a query', async () => {
    const res = await gql(
      gateway.url,
      'mutation { createUser(input: { id: "usr-quiet", displayName: "Quiet", country: "FR" }) { id } }',
      {},
      await bearer({ sub: 'usr-quiet' }),
    );
    expect(res.errors).toBeUndefined();
    // The gateway's own calls, and the users subgraph (in this process) reaching its database.
    const subgraph = new URL(users.url).host;
    const database = new URL(inject('mongoUri')).host;
    const gatewayHost = new URL(gateway.url).host;
    expect(attempts).toContain(subgraph);
    const others = attempts.filter((a) => a !== subgraph && a !== database && a !== gatewayHost);
    expect(others).toEqual([]);
  });
});
