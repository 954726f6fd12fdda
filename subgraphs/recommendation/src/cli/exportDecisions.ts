import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectMongo, createLogger, loadConfig } from '@attention-mesh/platform';
import { recommendationConfig } from '../config.js';
import { recDecisionModels } from '../models/RecDecision.js';
import { exportDecisions } from '../recommend/decisionExport.js';

/**
 * `npm run export:rec-decisions -- --out <file.jsonl> [--since <ISO>] [--until <ISO>]`: writes the served
 * pages logged with their per-position propensities, joined to their rewards (clicks, likes, dwells), as
 * JSONL for `npm run ope -- --log <file.jsonl>`. Reads the recommendation database (MONGODB_URI /
 * MONGODB_DB as for the service).
 */
const { values } = parseArgs({
  options: { out: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
});
if (!values.out) {
  console.error(
    'usage: export:rec-decisions -- --out <file.jsonl> [--since <ISO date>] [--until <ISO date>]',
  );
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
const config = loadConfig('recommendation', { LOG_LEVEL: 'warn', ...process.env }, recommendationConfig);
const logger = createLogger({ service: 'export', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const out = createWriteStream(values.out);
const counts = await exportDecisions(
  recDecisionModels(conn),
  async (line) => {
    if (!out.write(line)) await once(out, 'drain');
  },
  {
    from: time(values.since, 'since'),
    to: time(values.until, 'until'),
    windowMs: config.recommendation.rewardWindowMs,
  },
  (seen) => console.error(`read ${seen.toLocaleString()} decisions`),
);
out.end();
await once(out, 'finish');
await conn.close();
console.error(
  `wrote ${counts.decisions.toLocaleString()} pages (${counts.slots.toLocaleString()} positions, ` +
    `${counts.rewards.toLocaleString()} rewarded, ${counts.explored.toLocaleString()} explored) to ${values.out}`,
);
