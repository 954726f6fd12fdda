import { describe, expect, it } from 'vitest';
import { ReadWriteGate } from '../src/projection/readWriteGate.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ReadWriteGate', () => {
  it('lets readers share, runs a writer alone, and holds back readers that arrive after it', async () => {
    const gate = new ReadWriteGate();
    const log: string[] = [];
    let endRead1 = () => {};
    const read1 = gate.read(async () => {
      log.push('read1 start');
      await new Promise<void>((r) => {
        endRead1 = r;
      });
      log.push('read1 end');
    });
    const read2 = gate.read(async () => void log.push('read2'));
    await tick();
    const write = gate.write(async () => {
      log.push('write start');
      await tick();
      log.push('write end');
    });
    await tick();
    const read3 = gate.read(async () => void log.push('read3'));
    await tick();
    expect(log).toEqual(['read1 start', 'read2']);
    endRead1();
    await Promise.all([read1, read2, write, read3]);
    expect(log).toEqual(['read1 start', 'read2', 'read1 end', 'write start', 'write end', 'read3']);
  });
});
