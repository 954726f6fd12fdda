import { parseArgs } from 'node:util';
import { connectMongo, createLogger, ensureIndexes, loadConfig } from '@attention-mesh/platform';
import { attentionConfig } from '../config.js';
import { sweepRetention } from '../retention/sweepRetention.js';
import { createRuntime } from '../runtime.js';

/**
 * `npm run sweep:attention [-- --days N]`: runs the attention retention sweep once against the attention
 * database (MONGODB_URI / MONGODB_DB as for the service; `--days` overrides ATTENTION_RETENTION_DAYS),
 * for a k8s CronJob when the service's own interval is off (ATTENTION_RETENTION_INTERVAL_MS=0), on
 * MongoDB. On the embedded database prefer the service's interval: there an `$unset` from this process
 * racing the service's `$inc` on one profile loses one of them, which the service avoids by pausing its
 * own writes. The running service's memory view keeps its pruned copies until its next start.
 */
const { values } = parseArgs({ options: { days: { type: 'string' } } });
const config = loadConfig(
  'attention',
  {
    LOG_LEVEL: 'warn',
    ...process.env,
    ...(values.days ? { ATTENTION_RETENTION_DAYS: values.days } : {}),
  },
  attentionConfig,
);
const logger = createLogger({ service: 'sweep', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const runtime = createRuntime(conn, config);
await ensureIndexes(conn);
const r = await sweepRetention(runtime, { retentionDays: config.attention.retentionDays });
console.log(
  `swept before ${new Date(r.sweptBefore).toISOString()}: ${r.events} events, ${r.views} views, ` +
    `${r.sessions} sessions deleted; ${r.hourEntries} hour entries pruned from ${r.profiles} profiles ` +
    `in ${(r.ms / 1000).toFixed(1)} s`,
);
await conn.close();
