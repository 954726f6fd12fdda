import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectMongo, createLogger, loadConfig } from '@attention-mesh/platform';
import { recommendationConfig } from '../config.js';
import { createRuntime } from '../runtime.js';
import { exportSequences } from '../sequences/importSequences.js';

/**
 * `npm run export:rec -- --out <file>`: writes the stored sequences as `user item` lines, the format
 * `npm run train:rec -- --data <file>` trains on.
 */
const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  console.error('usage: export:rec -- --out <file>');
  process.exit(2);
}
const config = loadConfig('recommendation', { LOG_LEVEL: 'warn', ...process.env }, recommendationConfig);
const logger = createLogger({ service: 'export', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const runtime = createRuntime(conn, config);
const out = createWriteStream(values.out);
const result = await exportSequences(runtime, async (chunk) => {
  if (!out.write(chunk)) await once(out, 'drain');
});
out.end();
await once(out, 'finish');
console.log(
  `exported ${result.users} users, ${result.lines} interactions to ${values.out}` +
    (result.skipped ? ` (${result.skipped} users skipped: ids not expressible in the format)` : ''),
);
await conn.close();
