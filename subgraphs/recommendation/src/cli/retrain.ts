import { parseArgs } from 'node:util';
import { selectBackend } from '@attention-mesh/ml';
import { connectMongo, createLogger, loadConfig } from '@attention-mesh/platform';
import { recommendationConfig } from '../config.js';
import { RETRAIN_DEFAULTS, retrainModel } from '../retrain/retrainModel.js';
import { createRuntime } from '../runtime.js';

const USAGE = `Retrains the recommendation model when it is stale (for cron or the k8s CronJob).

Usage: npm run retrain:rec -- [options]   (MONGODB_URI, MONGODB_DB, MODELS_DIR as for the service)

  --force              train even when the model is not stale
  --epochs <n>         most epochs (default ${RETRAIN_DEFAULTS.epochs})
  --max-len <n>        history length (default ${RETRAIN_DEFAULTS.maxLen})
  --hidden <n>         hidden size (default ${RETRAIN_DEFAULTS.hidden})
  --blocks <n>         self-attention blocks (default ${RETRAIN_DEFAULTS.blocks})
  --max-minutes <x>    stop training (after an evaluation) once it took this long
  -h, --help

Exits 0 at once when the served model is not stale (fewer than REC_RETRAIN_AFTER_INTERACTIONS new
interactions since it was trained); otherwise exports the stored sequences, trains a small SASRec,
saves a new version under MODELS_DIR/sasrec/, which the running subgraphs swap in without a restart.`;

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    epochs: { type: 'string' },
    'max-len': { type: 'string' },
    hidden: { type: 'string' },
    blocks: { type: 'string' },
    'max-minutes': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

/** A flag's integer in [1, max], or undefined when absent. */
function int(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`--${name} must be an integer in [1, ${max}], got "${value}"\n`);
    process.exit(2);
  }
  return n;
}
const epochs = int('epochs', values.epochs, 1_000);
const maxLen = int('max-len', values['max-len'], 200);
const hidden = int('hidden', values.hidden, 512);
const blocks = int('blocks', values.blocks, 8);
const maxMinutes = values['max-minutes'] === undefined ? undefined : Number(values['max-minutes']);
if (maxMinutes !== undefined && !(maxMinutes > 0 && maxMinutes <= 24 * 60)) {
  process.stderr.write(`--max-minutes must be in (0, 1440], got "${values['max-minutes']}"\n`);
  process.exit(2);
}

const config = loadConfig('recommendation', { LOG_LEVEL: 'warn', ...process.env }, recommendationConfig);
const logger = createLogger({ service: 'retrain', level: config.log.level, pretty: false });
const conn = await connectMongo({ uri: config.mongo.uri, dbName: config.mongo.dbName, logger });
const runtime = createRuntime(conn, config);
const say = (line: string) => process.stderr.write(`${line}\n`);
try {
  const result = await retrainModel(runtime, {
    modelsDir: config.ml.modelsDir,
    retrainAfterInteractions: config.recommendation.retrainAfterInteractions,
    force: values.force,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(maxLen !== undefined ? { maxLen } : {}),
    ...(hidden !== undefined ? { hidden } : {}),
    ...(blocks !== undefined ? { blocks } : {}),
    ...(maxMinutes !== undefined ? { maxSeconds: maxMinutes * 60 } : {}),
    say,
    beforeTraining: async () => {
      const backend = await selectBackend({ force: config.ml.backend });
      say(`backend: ${backend.backend} (${backend.device})`);
    },
    onProgress: (p) => {
      if (p.batch === p.batches)
        say(
          `epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}, ${Math.round(p.examplesPerSecond)} seq/s`,
        );
    },
  });
  if (result.status === 'trained') {
    console.log(
      `trained ${result.version} on ${result.users} users, ${result.items} items, ${result.interactions} ` +
        `interactions in ${result.seconds.toFixed(1)} s (validation NDCG@10 ${result.ndcg10.toFixed(4)}, ` +
        `HR@10 ${result.hr10.toFixed(4)}); the running subgraphs swap it in at their next registry poll`,
    );
  } else if (result.status === 'no-data') {
    console.log('no stored sequence has two items yet: nothing to train on');
  } else {
    console.log(
      `model ${result.servedVersion} is fresh: ${result.staleness.interactionsSinceTraining} of ` +
        `${result.staleness.retrainAfterInteractions} interactions since training; nothing to do`,
    );
  }
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await conn.close();
}
