import { describe, expect, it } from 'vitest';
import { InFlightGuard } from '../src/inFlightGuard.js';

describe('InFlightGuard', () => {
  it('releases a retired model only once the calls already running on it have settled', async () => {
    let released = 0;
    const guard = new InFlightGuard(() => released++);
    let finish!: (v: string) => void;
    let fail!: (e: Error) => void;
    const a = guard.run(() => new Promise<string>((r) => (finish = r)));
    const b = guard.run(() => new Promise<string>((_, r) => (fail = r)));
    guard.retire();
    expect(released).toBe(0);
    finish('done');
    expect(await a).toBe('done');
    expect(released).toBe(0);
    fail(new Error('boom'));
    await expect(b).rejects.toThrow('boom');
    expect(released).toBe(1);
    guard.retire();
    expect(released).toBe(1);
  });

  it('releases at once when nothing is running', () => {
    let released = 0;
    new InFlightGuard(() => released++).retire();
    expect(released).toBe(1);
  });
});
