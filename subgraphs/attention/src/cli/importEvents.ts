import { parseArgs } from 'node:util';
import { connectMongo, createLogger, ensureIndexes, loadConfig } from '@attention-mesh/platform';
import { attentionConfig } from '../config.js';
import { EVENT_FORMATS, type EventFormat, formatOf, take } from '../ingest/eventSources.js';
import { importEvents } from '../ingest/importEvents.js';
import { createRuntime } from '../runtime.js';

/**
 * `npm run import:attention -- --file <path> [--format globo|csv|jsonl] [--limit N]`: imports an event
 * file into the attention database (MONGODB_URI / MONGODB_DB as for the service) and rebuilds the
 * aggregates. History older than 7 days is kept. Pause the attention subgraph's ingestion meanwhile.
 */
const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    format: { type: 'string' },
    limit: { type: 'string' },
  },
});
if (!values.file) {
  console.error('usage: import:attention -- --file <path> [--format globo|csv|jsonl] [--limit N]');
  process.exit(2);
}
const format = (values.format ?? formatOf(values.file)) as EventFormat;
if (!(format in EVENT_FORMATS)) {
  console.error(`unknown --format ${format}: use ${Object.keys(EVENT_FORMATS).join(', ')}`);
  process.exit(2);
}
const config = loadConfig('attention', { LOG_LEVEL: 'warn', ...process.env }, attentionConfig);
const logger = createLogger({ service: 'import', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const runtime = createRuntime(conn, config);
await ensureIndexes(conn);

const tty = process.stderr.isTTY;
const started = Date.now();
const line = (text: string) => process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
let lastPrint = 0;
const throttle = (text: string) => {
  if (Date.now() - lastPrint > (tty ? 200 : 5000)) {
    lastPrint = Date.now();
    line(text);
  }
};
const source = EVENT_FORMATS[format](values.file);
const events = values.limit ? take(source, Number(values.limit)) : source;
const result = await importEvents(runtime, events, {
  halfLifeDays: config.attention.halfLifeDays,
  allowHistorical: true,
  onProgress: (p) => {
    const s = (Date.now() - started) / 1000;
    throttle(
      `import  ${p.read.toLocaleString()} read, ${p.stored.toLocaleString()} stored, ${p.duplicates} duplicates, ${p.rejected} rejected  ${Math.round(p.read / s)} events/s`,
    );
  },
  onRebuild: (p) =>
    throttle(
      `rebuild ${p.phase} ${p.done.toLocaleString()}${p.total ? ` / ${p.total.toLocaleString()}` : ''}`,
    ),
});
line('');
console.log(
  `imported ${values.file} (${format}): ${result.read} read, ${result.stored} stored, ${result.duplicates} duplicates, ` +
    `${result.rejected} rejected, ${result.dropped} dropped (no consent); aggregates rebuilt in ${(result.rebuildMs / 1000).toFixed(1)} s; ` +
    `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await conn.close();
