import { describe, expect, it } from 'vitest';
import { DecisionLog } from '../src/decision/decisionLog.js';
import type { DecisionDoc } from '../src/models/index.js';

/** An insert target whose writes the test acknowledges (or fails) one at a time. */
function target() {
  const writes: { ids: string[]; ack(): void; fail(err: unknown): void }[] = [];
  return {
    writes,
    insertMany(docs: DecisionDoc[]) {
      return new Promise<void>((ack, fail) => writes.push({ ids: docs.map((d) => d._id), ack, fail }));
    },
  };
}
const doc = (id: string) => ({ _id: id }) as DecisionDoc;
const tick = () => new Promise((r) => setImmediate(r));
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
};

describe('DecisionLog (group commit)', () => {
  it('writes decisions that arrive during an insert together in the next one, each answered after its own', async () => {
    const t = target();
    const log = new DecisionLog(t, 100);
    const a = log.append(doc('a'));
    const b = log.append(doc('b'));
    const c = log.append(doc('c'));
    await tick();
    expect(t.writes.map((w) => w.ids)).toEqual([['a']]);
    expect(await settled(a)).toBe(false);
    t.writes[0]!.ack();
    await a;
    await tick();
    expect(t.writes.map((w) => w.ids)).toEqual([['a'], ['b', 'c']]);
    expect(await settled(b)).toBe(false);
    t.writes[1]!.ack();
    await Promise.all([b, c, log.flush()]);
  });

  it('bounds a write by maxBatch and fails only the decisions of a failed write', async () => {
    const t = target();
    const log = new DecisionLog(t, 2);
    const all = ['a', 'b', 'c', 'd'].map((id) => log.append(doc(id)));
    await tick();
    t.writes[0]!.fail(new Error('disk full'));
    await expect(all[0]).rejects.toThrow('disk full');
    await tick();
    expect(t.writes.map((w) => w.ids)).toEqual([['a'], ['b', 'c']]);
    t.writes[1]!.ack();
    await Promise.all([all[1], all[2]]);
    await tick();
    expect(t.writes[2]!.ids).toEqual(['d']);
    t.writes[2]!.ack();
    await expect(all[3]).resolves.toBeUndefined();
  });

  it('counts a decision already stored (a retried insert that had reached the database) as written', async () => {
    const dup = Object.assign(new Error('E11000'), { code: 11000, writeErrors: [{ index: 0, code: 11000 }] });
    const log = new DecisionLog({ insertMany: () => Promise.reject(dup) }, 10);
    await expect(log.append(doc('a'))).resolves.toBeUndefined();
  });

  it('inserts each decision on its own, at once, with maxBatch 0', async () => {
    const t = target();
    const log = new DecisionLog(t, 0);
    expect(log.batching).toBe(false);
    const a = log.append(doc('a'));
    const b = log.append(doc('b'));
    expect(t.writes.map((w) => w.ids)).toEqual([['a'], ['b']]);
    t.writes[1]!.ack();
    await b;
    expect(await settled(a)).toBe(false);
    t.writes[0]!.ack();
    await Promise.all([a, log.flush()]);
  });
});
