import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectFormat,
  parseTimestamp,
  readEventLog,
  readEventsCsv,
  readEventsJsonl,
} from '../../src/engagement/eventLog.js';
import { GLOBO_HEADER, readGloboClicks } from '../../src/engagement/globo.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const byUser = (log: {
  userIds: string[];
  histories: { events: readonly { at: number; weight?: number }[] }[];
}) =>
  Object.fromEntries(log.userIds.map((id, i) => [id, log.histories[i]!.events.map((e) => [e.at, e.weight])]));

describe('readGloboClicks', () => {
  const rows = [
    // user 7's clicks out of order: the reader sorts each history.
    '7,1506825423271737,1506825423000,2,157541,1506826858020,4,3,20,1,20,2',
    '7,1506825423271737,1506825423000,2,68866,1506826828020,4,3,20,1,20,2',
    '9,1506825426267738,1506825426000,1,235840,1506827017951,4,1,17,1,16,2',
  ];

  it('streams a gzipped file into sorted per-user histories with weight 1', async () => {
    const path = file('clicks.csv.gz', gzipSync(`${GLOBO_HEADER}\n${rows.join('\n')}\n`));
    const log = await readGloboClicks(path);
    expect(log.events).toBe(3);
    expect(byUser(log)).toEqual({
      '7': [
        [1506826828020, 1],
        [1506826858020, 1],
      ],
      '9': [[1506827017951, 1]],
    });
    expect(await detectFormat(path)).toBe('globo');
  });

  it('reads plain CSV too and names the line of a bad row', async () => {
    const ok = file('clicks.csv', `${GLOBO_HEADER}\n${rows[0]}\n`);
    expect((await readGloboClicks(ok)).events).toBe(1);
    const bad = file('bad.csv', `${GLOBO_HEADER}\n${rows[0]}\n7,1,2,3\n`);
    await expect(readGloboClicks(bad)).rejects.toThrow(/bad\.csv:3: expected 12 columns/);
    const other = file('other.csv', 'a,b,c\n');
    await expect(readGloboClicks(other)).rejects.toThrow(/not a Globo clicks file/);
  });
});

describe('generic event logs', () => {
  it('reads CSV with ms, seconds and ISO timestamps, optional weights and quoted fields', async () => {
    const path = file(
      'events.csv',
      [
        'timestamp,user_id,weight,extra',
        '1700000000000,a,12.5,x',
        '1700000300,"b",,y',
        '2023-11-14T22:20:00.000Z,a,3,z',
        '',
      ].join('\n'),
    );
    const log = await readEventsCsv(path);
    expect(byUser(log)).toEqual({
      a: [
        [1700000000000, 12.5],
        [Date.parse('2023-11-14T22:20:00.000Z'), 3],
      ],
      b: [[1700000300000, undefined]],
    });
    expect(await detectFormat(path)).toBe('csv');
  });

  it('rejects a CSV without the required columns or with a bad weight', async () => {
    await expect(readEventsCsv(file('nohdr.csv', 'user,time\nx,1\n'))).rejects.toThrow(
      /user_id and timestamp/,
    );
    await expect(
      readEventsCsv(file('badw.csv', 'user_id,timestamp,weight\nx,1700000000000,-1\n')),
    ).rejects.toThrow(/badw\.csv:2: weight must be a non-negative number/);
  });

  it('reads gzipped JSON lines with ISO or ms occurredAt', async () => {
    const lines = [
      JSON.stringify({ userId: 'u1', occurredAt: '2024-01-01T10:00:00Z', weight: 30 }),
      JSON.stringify({ userId: 'u1', occurredAt: Date.parse('2024-01-01T09:00:00Z') }),
      JSON.stringify({ userId: 'u2', occurredAt: '2024-01-02T00:00:00Z' }),
    ];
    const path = file('events.jsonl.gz', gzipSync(`${lines.join('\n')}\n`));
    const log = await readEventLog(path);
    expect(byUser(log)).toEqual({
      u1: [
        [Date.parse('2024-01-01T09:00:00Z'), undefined],
        [Date.parse('2024-01-01T10:00:00Z'), 30],
      ],
      u2: [[Date.parse('2024-01-02T00:00:00Z'), undefined]],
    });
    await expect(readEventsJsonl(file('bad.jsonl', '{"userId":"x"}\n'))).rejects.toThrow(
      /bad\.jsonl:1: expected/,
    );
  });

  it('parses timestamps', () => {
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseTimestamp('2024-01-01T00:00:00Z')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseTimestamp('yesterday')).toBeUndefined();
  });
});
