import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectMongo, createLogger, loadConfig } from '@attention-mesh/platform';
import { adsConfig } from '../config.js';
import { exportDecisions } from '../decision/decisionExport.js';
import { ledgerModels } from '../models/ledger.js';

/**
 * `npm run export:ad-decisions -- --out <file.jsonl> [--since <ISO>] [--until <ISO>]`: writes the filled
 * decisions logged with their propensity and candidates, joined to their impressions and clicks, as
 * JSONL for `npm run ope -- --log <file.jsonl>`. Reads the ads database (MONGODB_URI / MONGODB_DB as for
 * the service).
 */
const { values } = parseArgs({
  options: { out: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
});
if (!values.out) {
  console.error('usage: export:ad-decisions -- --out <file.jsonl> [--since <ISO date>] [--until <ISO date>]');
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
const counts = await exportDecisions(
  ledgerModels(conn),
  async (line) => {
    if (!out.write(line)) await once(out, 'drain');
  },
  range,
  (seen) => console.error(`read ${seen.toLocaleString()} decisions`),
);
out.end();
await once(out, 'finish');
await conn.close();
console.error(
  `wrote ${counts.decisions.toLocaleString()} decisions (${counts.shown.toLocaleString()} shown, ` +
    `${counts.clicks.toLocaleString()} clicked, ${counts.explored.toLocaleString()} explored) to ${values.out}`,
);
