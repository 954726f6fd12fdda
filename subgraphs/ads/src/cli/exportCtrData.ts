import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectMongo, createLogger, loadConfig } from '@attention-mesh/platform';
import { adsConfig } from '../config.js';
import { exportCtrData } from '../ctr/ctrExport.js';
import { ledgerModels } from '../models/ledger.js';

/**
 * `npm run export:ctr -- --out <file.jsonl> [--since <ISO>] [--until <ISO>]`: writes the ads ledger's
 * shown decisions as `{ label, fields }` lines (label 1 when clicked) for
 * `npm run train:ctr -- --format jsonl --data <file.jsonl>`. Reads the ads database (MONGODB_URI /
 * MONGODB_DB as for the service).
 */
const { values } = parseArgs({
  options: { out: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
});
if (!values.out) {
  console.error('usage: export:ctr -- --out <file.jsonl> [--since <ISO date>] [--until <ISO date>]');
  process.exit(2);
}
const time = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    console.error(`--${flag} ${v} is not a date`);
    process.exit(2);
  }
  return ms;
};
const range = { from: time(values.since, 'since'), to: time(values.until, 'until') };
const config = loadConfig('ads', { LOG_LEVEL: 'warn', ...process.env }, adsConfig);
const logger = createLogger({ service: 'export', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const out = createWriteStream(values.out);
const result = await exportCtrData(
  ledgerModels(conn),
  async (line) => {
    if (!out.write(line)) await once(out, 'drain');
  },
  range,
);
out.end();
await once(out, 'finish');
await conn.close();
console.error(
  `wrote ${result.examples.toLocaleString()} impressions (${result.clicks.toLocaleString()} clicked) to ${values.out}`,
);
