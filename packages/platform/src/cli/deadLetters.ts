#!/usr/bin/env node
/**
 * Dead letters of the event bus, for operators: `npm run dead-letters -- <command>`.
 *
 *   list   [--consumer c] [--limit 100] [--json]     the set-aside events, newest first
 *   replay --consumer c [--id evt_… ...] [--limit 100] [--wait 30]
 *                                                     send them back to their consumer; with --wait,
 *                                                     follow them until they leave the dead letters
 *   lag    [--json]                                   every durable consumer: pending, oldest, dead letters
 *
 * The bus comes from the environment like a service's (EVENT_BUS, MONGODB_URI / EVENT_BUS_DB, NATS_URL /
 * NATS_STREAM). Progress goes to stderr, results to stdout.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createEventBus } from '../events/createEventBus.js';
import type { DeadLetter, EventBus } from '../events/types.js';
import { createLogger } from '../logger.js';

const USAGE = `usage: dead-letters list [--consumer c] [--limit n] [--json]
       dead-letters replay --consumer c [--id evt_… ...] [--limit n] [--wait seconds]
       dead-letters lag [--json]`;

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function printLetters(letters: DeadLetter[]): void {
  if (letters.length === 0) {
    process.stdout.write('no dead letters\n');
    return;
  }
  const rows = [['set aside at', 'consumer', 'type', 'event id', 'replays', 'reason']];
  for (const l of letters)
    rows.push([
      iso(l.at),
      l.consumer,
      l.type,
      l.eventId,
      String(l.replays ?? 0),
      cut(l.reason.replace(/\s+/g, ' '), 80),
    ]);
  process.stdout.write(`${table(rows)}\n`);
}

function positiveInt(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`--${flag} must be an integer from 1 to ${max}`);
  return n;
}

async function replay(
  bus: EventBus,
  consumer: string,
  ids: string[] | undefined,
  limit: number,
  waitS: number,
) {
  const query = { consumer, limit, ...(ids ? { eventIds: ids } : {}) };
  const { replayed } = await bus.replayDeadLetters(query);
  if (replayed.length === 0) {
    process.stdout.write(`no dead letters of ${consumer} to replay\n`);
    return 0;
  }
  process.stderr.write(`replayed ${replayed.length} dead letter(s) to ${consumer}\n`);
  if (waitS === 0) {
    process.stdout.write(`${replayed.map((r) => r.eventId).join('\n')}\n`);
    return 0;
  }
  const eventIds = replayed.map((r) => r.eventId);
  const until = Date.now() + waitS * 1000;
  let left: DeadLetter[] = [];
  for (;;) {
    // A replay that succeeded is gone; one that failed again is back, with `replays` counted up.
    left = await bus.deadLetters({ consumer, eventIds });
    const handled = eventIds.length - left.length;
    process.stderr.write(`\r${handled}/${eventIds.length} handled`);
    if (handled === eventIds.length || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stderr.write('\n');
  if (left.length === 0) {
    process.stdout.write(`all ${eventIds.length} handled by ${consumer}\n`);
    return 0;
  }
  process.stdout.write(
    `${left.length} still in the dead letters after ${waitS} s (is ${consumer} running? did it fail again?):\n`,
  );
  printLetters(left);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      consumer: { type: 'string' },
      id: { type: 'string', multiple: true },
      limit: { type: 'string' },
      wait: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['list', 'replay', 'lag'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const limit = positiveInt(values.limit, 'limit', 100, 10_000);
  const config = loadConfig('gateway', { LOG_LEVEL: 'warn', ...process.env });
  const logger = createLogger({ service: 'dead-letters', level: config.log.level, pretty: false });
  process.stderr.write(
    `event bus: ${config.events.adapter === 'nats' ? `nats ${config.events.nats.url} stream ${config.events.nats.stream}` : `mongo ${config.events.mongoDbName}`}\n`,
  );
  const bus = await createEventBus(config, logger, { sweep: false });
  try {
    if (command === 'list') {
      const letters = await bus.deadLetters({
        limit,
        ...(values.consumer ? { consumer: values.consumer } : {}),
      });
      if (values.json) process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
      else printLetters(letters);
      return 0;
    }
    if (command === 'lag') {
      const lags = await bus.lag();
      if (values.json) process.stdout.write(`${JSON.stringify(lags, null, 2)}\n`);
      else {
        const rows = [['consumer', 'partition', 'pending', 'oldest pending', 'dead letters']];
        for (const l of lags)
          rows.push([
            l.consumer,
            l.partition ? `${l.partition.index}/${l.partition.count}` : '-',
            String(l.pending),
            iso(l.oldestPendingAt),
            String(l.deadLetters),
          ]);
        process.stdout.write(lags.length ? `${table(rows)}\n` : 'no durable consumers\n');
      }
      return 0;
    }
    if (!values.consumer) throw new Error('replay needs --consumer: dead letters go back to one consumer');
    const wait = values.wait === undefined ? 0 : positiveInt(values.wait, 'wait', 0, 3_600);
    return await replay(bus, values.consumer, values.id, limit, wait);
  } finally {
    await bus.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`dead-letters: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
