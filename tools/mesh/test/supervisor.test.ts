import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../src/supervisor.js';

/** Small real services: `node -e` scripts. */
const CRASHES = ['-e', 'process.exit(3)'];
const SERVES = ['-e', 'setInterval(() => {}, 1000)'];
const IGNORES_SIGTERM = ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"];

let supervisor: Supervisor | undefined;
afterEach(() => supervisor?.killAll());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Supervisor', () => {
  it('restarts a crashing service with doubling delays and gives up after repeated crashes', async () => {
    const lines: string[] = [];
    const starts: number[] = [];
    const given: string[] = [];
    supervisor = new Supervisor({
      initialDelayMs: 100,
      maxDelayMs: 400,
      maxCrashes: 5,
      windowMs: 60_000,
      log: (line) => {
        lines.push(line);
        if (line.includes('started')) starts.push(Date.now());
      },
      onGiveUp: (name) => given.push(name),
    });
    supervisor.start({ name: 'ads', args: CRASHES });
    await until(() => given.length > 0, 10_000);
    expect(given).toEqual(['ads']);
    expect(starts).toHaveLength(5);
    // 100, 200, 400, 400 ms between a crash and the next start (plus the time a start takes).
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    for (const [i, min] of [100, 200, 400, 400].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(min - 10);
    expect(gaps[3]).toBeLessThan((gaps[2] as number) + 300);
    const restarts = lines.filter((l) => l.includes('restarting'));
    expect(restarts[0]).toMatch(/^ads exited \(code 3\); restarting it in 0\.1 s/);
    expect(restarts.map((l) => /in ([\d.]+) s/.exec(l)?.[1])).toEqual(['0.1', '0.2', '0.4', '0.4']);
    expect(lines.at(-1)).toMatch(/^ads exited \(code 3\), the 5th time within 60 s: giving up$/);
    // Not restarted after giving up.
    await new Promise((r) => setTimeout(r, 600));
    expect(lines.filter((l) => l.includes('started'))).toHaveLength(5);
  });

  it('brings back a killed service while the others keep running', async () => {
    const lines: string[] = [];
    supervisor = new Supervisor({ initialDelayMs: 50, log: (l) => lines.push(l) });
    supervisor.start({ name: 'ads', args: SERVES });
    supervisor.start({ name: 'users', args: SERVES });
    await until(() => !!supervisor?.pid('ads') && !!supervisor?.pid('users'));
    const [ads, users] = [supervisor.pid('ads') as number, supervisor.pid('users') as number];
    process.kill(ads, 'SIGKILL');
    await until(() => (supervisor?.pid('ads') ?? ads) !== ads);
    expect(alive(supervisor.pid('ads') as number)).toBe(true);
    expect(supervisor.pid('users')).toBe(users);
    expect(lines).toContain(
      'ads exited (SIGKILL); restarting it in 0.05 s (crash 1 of 4 allowed within 60 s), the rest keeps serving',
    );
  });

  it('stops every service, SIGKILL after the grace for one that ignores SIGTERM, and restarts none', async () => {
    supervisor = new Supervisor({ initialDelayMs: 10, killAfterMs: 300, log: () => {} });
    supervisor.start({ name: 'gateway', args: SERVES });
    supervisor.start({ name: 'users', args: IGNORES_SIGTERM });
    await until(() => !!supervisor?.pid('gateway') && !!supervisor?.pid('users'));
    const pids = [supervisor.pid('gateway') as number, supervisor.pid('users') as number];
    // The second one shrugs off SIGTERM: it gets SIGKILL after the grace.
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await supervisor.stop(['gateway']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(pids.map(alive)).toEqual([false, false]);
    await new Promise((r) => setTimeout(r, 100));
    expect([supervisor.pid('gateway'), supervisor.pid('users')]).toEqual([undefined, undefined]);
  });
});
