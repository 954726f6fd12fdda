import { describe, expect, it } from 'vitest';
import { MemoryView } from '../src/projection/memoryView.js';

async function* docs(n: number) {
  for (let i = 0; i < n; i++) yield { _id: `d${i}`, events: i };
}

describe('MemoryView', () => {
  it('answers every id once loaded, null where nothing is stored, and applies updates as the database would', async () => {
    const view = new MemoryView<{ _id: string; events?: number; lastEventAt?: number }>('t', 10);
    expect(view.getMany(['d1'])).toBeUndefined(); // not loaded: ask the database
    expect(await view.load(docs(3))).toBe(true);
    view.apply([
      ['d1', { $inc: { events: 2 }, $max: { lastEventAt: 5 } }],
      ['new', { $inc: { events: 1 }, $setOnInsert: { dim: 'ITEM' } }],
    ]);
    expect(view.getMany(['d1', 'new', 'missing'])).toEqual([
      { _id: 'd1', events: 3, lastEventAt: 5 },
      { _id: 'new', dim: 'ITEM', events: 1 },
      null,
    ]);
  });

  it('turns itself off past its capacity, at load or as documents are added', async () => {
    const small = new MemoryView('t', 2);
    expect(await small.load(docs(3))).toBe(false);
    expect(small.getMany(['d0'])).toBeUndefined();
    const growing = new MemoryView('t', 3);
    expect(await growing.load(docs(3))).toBe(true);
    growing.apply([['d9', { $inc: { events: 1 } }]]);
    expect(growing.active).toBe(false);
    expect(growing.getMany(['d0'])).toBeUndefined();
  });
});
