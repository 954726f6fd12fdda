import { parseArgs } from 'node:util';
import { connectMongo, createLogger, ensureIndexes, loadConfig } from '@attention-mesh/platform';
import { recommendationConfig } from '../config.js';
import type { ItemKind } from '../models/Item.js';
import { createRuntime } from '../runtime.js';
import { importSequences } from '../sequences/importSequences.js';

/**
 * `npm run import:rec -- --data <user item file> [--title-prefix "Games item"] [--category games]
 * [--kind PRODUCT]`: loads a sequence file into the recommendation database (MONGODB_URI / MONGODB_DB as
 * for the service): items into the catalogue, users' sequences, popularity. Safe to run again.
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'title-prefix': { type: 'string' },
    category: { type: 'string' },
    kind: { type: 'string' },
  },
});
if (!values.data) {
  console.error(
    'usage: import:rec -- --data <file> [--title-prefix "Games item"] [--category games] [--kind PRODUCT]',
  );
  process.exit(2);
}
const kind = (values.kind ?? 'PRODUCT') as ItemKind;
if (!['ARTICLE', 'VIDEO', 'PRODUCT'].includes(kind)) {
  console.error(`unknown --kind ${kind}: use ARTICLE, VIDEO or PRODUCT`);
  process.exit(2);
}
const category = values.category ?? 'games';
if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(category)) {
  console.error(`--category must be a lower-case slug, got ${category}`);
  process.exit(2);
}
const config = loadConfig('recommendation', { LOG_LEVEL: 'warn', ...process.env }, recommendationConfig);
const logger = createLogger({ service: 'import', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const runtime = createRuntime(conn, config);
await ensureIndexes(conn);

const tty = process.stderr.isTTY;
const started = Date.now();
let last = 0;
const result = await importSequences(runtime, values.data, {
  titlePrefix: values['title-prefix'] ?? 'Games item',
  category,
  kind,
  onProgress: (p) => {
    if (p.done < p.total && Date.now() - last < (tty ? 200 : 5000)) return;
    last = Date.now();
    const text = `${p.phase} ${p.done.toLocaleString()} / ${p.total.toLocaleString()}  ${((Date.now() - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  },
});
if (tty) process.stderr.write('\n');
console.log(
  `imported ${values.data} into ${config.mongo.dbName}: ${result.lines} lines (${result.skipped} skipped), ` +
    `${result.users} users, ${result.items} items (${result.itemsCreated} new) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await conn.close();
