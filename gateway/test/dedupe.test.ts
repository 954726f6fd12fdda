import { DEV_INTERNAL_SECRET, signInternalContext } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { dedupeKey } from '../src/dedupe/dedupeKey.js';
import { InFlight } from '../src/dedupe/inFlight.js';

function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('InFlight', () => {
  it('runs identical work once while it is in flight, and again once it has settled', async () => {
    const shared = new InFlight<string>();
    const g = gate<string>();
    let runs = 0;
    const work = () => {
      runs++;
      return g.promise;
    };
    const a = shared.run('k', work);
    const b = shared.run('k', work);
    expect(shared.waiters()).toBe(2);
    g.open('answer');
    expect(await Promise.all([a, b])).toEqual(['answer', 'answer']);
    expect(runs).toBe(1);
    expect(shared.waiters()).toBe(0);
    await shared.run('k', async () => {
      runs++;
      return 'again';
    });
    expect(runs).toBe(2);
  });

  it('keeps different keys apart', async () => {
    const shared = new InFlight<string>();
    let runs = 0;
    const work = async () => String(++runs);
    expect(await Promise.all([shared.run('a', work), shared.run('b', work)])).toEqual(['1', '2']);
  });

  it('gives every waiter the failure, and runs anew after it', async () => {
    const shared = new InFlight<string>();
    const g = gate<string>();
    const a = shared.run('k', () => g.promise);
    const b = shared.run('k', () => g.promise);
    g.fail(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    expect(await shared.run('k', async () => 'up')).toBe('up');
  });

  it('lets a waiter give up alone, and aborts the work only when nobody waits', async () => {
    const shared = new InFlight<string>();
    const g = gate<string>();
    let workSignal: AbortSignal | undefined;
    const first = new AbortController();
    const second = new AbortController();
    const a = shared.run(
      'k',
      (signal) => {
        workSignal = signal;
        return g.promise;
      },
      first.signal,
    );
    const b = shared.run('k', () => g.promise, second.signal);
    first.abort(new Error('first deadline'));
    await expect(a).rejects.toThrow('first deadline');
    expect(workSignal?.aborted).toBe(false);
    second.abort(new Error('second deadline'));
    await expect(b).rejects.toThrow('second deadline');
    expect(workSignal?.aborted).toBe(true);
    // An aborted run is not joined.
    expect(await shared.run('k', async () => 'fresh')).toBe('fresh');
    g.open('late');
  });

  it('refuses a caller whose signal is already aborted, without running anything', async () => {
    const shared = new InFlight<string>();
    let runs = 0;
    await expect(
      shared.run('k', async () => String(++runs), AbortSignal.abort(new Error('gone'))),
    ).rejects.toThrow('gone');
    expect(runs).toBe(0);
  });
});

describe('dedupeKey', () => {
  const sign = (caller: Parameters<typeof signInternalContext>[0], now: number) =>
    signInternalContext(caller, DEV_INTERNAL_SECRET, { now, ttlMs: 60_000 });
  const person = { userId: 'usr-1', scopes: ['person'] };
  const key = (context: string, requestId = 'r1', variables: Record<string, unknown> = { id: '1' }) =>
    dedupeKey('users', 'query($id: ID!) { user(id: $id) { id } }', variables, {
      'content-type': 'application/json',
      'x-mesh-context': context,
      'x-request-id': requestId,
    });

  it('is the same for one caller across requests signed at different times', () => {
    expect(key(sign(person, 1_000), 'r1')).toBe(key(sign(person, 2_000), 'r2'));
  });

  it('differs between callers, privacy budgets, variables and subgraphs', () => {
    const base = key(sign(person, 1_000));
    expect(key(sign({ userId: 'usr-2', scopes: ['person'] }, 1_000))).not.toBe(base);
    expect(key(sign({ ...person, dpEpsilon: 0.5 }, 1_000))).not.toBe(base);
    expect(key(sign(person, 1_000), 'r1', { id: '2' })).not.toBe(base);
    expect(
      dedupeKey(
        'ads',
        'query($id: ID!) { user(id: $id) { id } }',
        { id: '1' },
        {
          'content-type': 'application/json',
          'x-mesh-context': sign(person, 1_000),
        },
      ),
    ).not.toBe(base);
  });

  it('keys an unreadable context as itself', () => {
    expect(key('garbage.sig')).not.toBe(key('other.sig'));
  });
});
