import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoCallers } from '../src/demoAccess.js';

/**
 * The done-when check of the launcher: `npm start`, the real mesh on ports of its own and the test
 * database; `kill -9` of the ads subgraph, which comes back, while the gateway keeps
 * answering a query of the users subgraph (the ads field null with DOWNSTREAM_SERVICE_ERROR meanwhile,
 * never a 500); then SIGTERM to npm stops the whole mesh.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = 20_000 + 10 * Math.floor(Math.random() * 1_000);
const GATEWAY = `http://127.0.0.1:${BASE}/graphql`;
const ADS_PORT = BASE + 4;
const QUERY = '{ users(first: 1) { edges { node { id } } } ad(id: "ad-none") { id } }';

let launcher: ChildProcess;
let output = '';
let admin: Record<string, string>;

function pidOf(name: string): number[] {
  return [...output.matchAll(new RegExp(`${name} started \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; launcher output:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function adsReady(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${ADS_PORT}/readyz`)).ok;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const token = (await demoCallers('adv-demo-01')).find((c) => c.name === 'ADMIN')?.token;
  admin = { authorization: `Bearer ${token}` };
  const { JWT_SECRET: _secret, ...env } = process.env;
  // `npm start` itself (turbo builds first, cached when nothing changed): SIGTERM goes to npm.
  launcher = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      MESH_PORT_BASE: String(BASE),
      MONGODB_URI: inject('mongoUri'),
      SEED: 'false',
      WATCH_SUPERGRAPH: 'false',
      // The breaker opens while ads is down; a short cooldown lets the gateway see it back soon.
      CIRCUIT_BREAKER_COOLDOWN_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, for the clean-up below.
    detached: true,
  });
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  launcher.stdout?.on('data', collect);
  launcher.stderr?.on('data', collect);
  await until('the mesh', () => output.includes('attention-mesh is up'), 90_000);
}, 180_000);

afterAll(() => {
  // Whatever is left after a failure: npm, its shell, the launcher, then the services.
  try {
    if (launcher?.pid) process.kill(-launcher.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (const name of ['gateway', 'users', 'attention', 'recommendation', 'ads', 'feedback'])
    for (const pid of pidOf(name)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

describe('npm start', () => {
  it('brings back a killed subgraph while the gateway answers throughout, and stops on SIGTERM', async () => {
    const before = await gql(GATEWAY, QUERY, {}, admin);
    expect(before.status).toBe(200);
    expect(before.errors).toBeUndefined();
    const [ads] = pidOf('ads');
    expect(ads).toBeGreaterThan(0);

    process.kill(ads as number, 'SIGKILL');
    const answers: Awaited<ReturnType<typeof gql>>[] = [];
    let back = false;
    // Until ads answers the gateway again: every answer a 200 with the users part.
    await until(
      'ads back behind the gateway',
      async () => {
        const res = await gql(GATEWAY, QUERY, {}, admin);
        answers.push(res);
        back ||= pidOf('ads').length === 2 && (await adsReady());
        return back && !res.errors;
      },
      30_000,
    );
    expect(output).toMatch(/ads exited \(SIGKILL\); restarting it in 0\.5 s/);
    expect(pidOf('ads')[1]).not.toBe(ads);
    expect(answers.map((a) => a.status).every((s) => s === 200)).toBe(true);
    // The users part (an empty database: no one yet) in every answer.
    for (const a of answers) expect((a.data as { users?: { edges: unknown[] } }).users?.edges).toEqual([]);
    const down = answers.filter((a) => a.errors?.length);
    expect(down.length).toBeGreaterThan(0);
    for (const a of down)
      expect(a.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName])).toEqual([
        [['ad'], 'DOWNSTREAM_SERVICE_ERROR', 'ads'],
      ]);

    const pids = ['gateway', 'users', 'attention', 'recommendation', 'ads', 'feedback'].map(
      (name) => pidOf(name).at(-1) as number,
    );
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);
});
