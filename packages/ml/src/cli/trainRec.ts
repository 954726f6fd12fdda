#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { saveVersion } from '../core/registry.js';
import { buildVocabulary, leaveOneOut, readSequences } from '../sasrec/data.js';
import {
  evaluateRanking,
  evaluationSet,
  modelScorer,
  popularityScorer,
  type RankingMetrics,
} from '../sasrec/evaluate.js';
import { SASREC_MODEL_NAME } from '../sasrec/model.js';
import { renderSasRecReport } from '../sasrec/report.js';
import { LOSSES, type SasRecLoss, TABLE_UPDATES, type TableUpdate, trainSasRec } from '../sasrec/train.js';
import { inputFile, intOption, numberOption, oneOf, say, trainingBackend } from './options.js';
import { ProgressBar } from './progress.js';

const USAGE = `Trains a SASRec next-item recommender on interaction sequences and evaluates it (leave-one-out).

Usage: node packages/ml/dist/cli/trainRec.js --data <file> [options]   (or: npm run train:rec -- --data <file>)

  --data <file>        "user item" lines, in time order per user (gzip ok): the SASRec datasets
                       (../shared/datasets/sequences/*.txt) or the product's own stored interactions as
                       exported by the recommendation subgraph in the same format
  --loss <l>           ${LOSSES.join('|')} (default bce): bce = one sampled negative per position (paper),
                       sampled = softmax over the target and --negatives uniform items per batch, ce = full softmax
  --epochs <n>         most epochs (default 200)
  --eval-every <n>     validation every n epochs (default 5); the best validation NDCG@10 is kept
  --patience <n>       stop after n evaluations without improvement (default 4; 0 = never)
  --max-minutes <x>    stop (after an evaluation) once training and evaluation took this long (default: none)
  --seed <n>           initialisation, dropout, batching and sampling seed (default 42)
  --eval-seed <n>      seed of the evaluated users and their negatives (default 2018)
  --max-len <n>        history length (default 50)
  --hidden <n>         hidden size (default 50)
  --blocks <n>         self-attention blocks (default 2)
  --heads <n>          attention heads (default 1)
  --dropout <x>        dropout rate (default 0.5)
  --lr <x>             Adam learning rate (default 0.001)
  --embedding-lr <x>   learning rate of the item embedding rows (default: --lr)
  --weight-decay <x>   decoupled weight decay of matrices, per step as a fraction of lr (default 0)
  --batch <n>          sequences per batch (default 128)
  --batching <b>       length|random (default length): batches of similar history length, trimmed to their
                       longest (fast), or random users as in the paper (a batch mixes lengths; ~5x the work)
  --negatives <n>      shared negatives per batch for --loss sampled (default 256)
  --table-update <u>   ${TABLE_UPDATES.join('|')} (default dense): Adam moves every item-table row each step, as the
                       reference implementations, or only the rows a batch used (for very large catalogues)
  --max-users <n>      most users scored (default 10000)
  --models-dir <dir>   model registry; the model is saved as <dir>/${SASREC_MODEL_NAME}/<version>/ (default .data/models)
  --report <file>      also write the HTML report there (it is always saved in the version folder)
  --backend <b>        tensorflow|wasm|cpu (default: TFJS_BACKEND, else the fastest present)
  -h, --help

Protocol: each user's last item is the test target, the one before the validation target; users with fewer
than 3 items are trained on but not scored; up to --max-users scored users, each target ranked against 100
items drawn uniformly (fixed seed) from those the user never interacted with (HR@10, NDCG@10); full-ranking
figures rank it against every item not in the input. Checkpoints are chosen on validation only.`;

const f4 = (x: number) => x.toFixed(4);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const row = (name: string, m: RankingMetrics) => [
  name,
  f4(m.hr10),
  f4(m.ndcg10),
  f4(m.fullHr10),
  f4(m.fullNdcg10),
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      loss: { type: 'string', default: 'bce' },
      epochs: { type: 'string' },
      'eval-every': { type: 'string' },
      patience: { type: 'string' },
      'max-minutes': { type: 'string' },
      seed: { type: 'string' },
      'eval-seed': { type: 'string' },
      'max-len': { type: 'string' },
      hidden: { type: 'string' },
      blocks: { type: 'string' },
      heads: { type: 'string' },
      dropout: { type: 'string' },
      lr: { type: 'string' },
      'weight-decay': { type: 'string' },
      'embedding-lr': { type: 'string' },
      batch: { type: 'string' },
      batching: { type: 'string', default: 'length' },
      negatives: { type: 'string' },
      'table-update': { type: 'string', default: 'dense' },
      'max-users': { type: 'string' },
      'models-dir': { type: 'string', default: '.data/models' },
      report: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.data) throw new Error(`--data is required\n\n${USAGE}`);
  const batching = oneOf('batching', values.batching, ['length', 'random']);
  const loss = oneOf<SasRecLoss>('loss', values.loss, LOSSES);
  const tableUpdate = oneOf<TableUpdate>('table-update', values['table-update'], TABLE_UPDATES);
  const seed = intOption('seed', values.seed, 42, 0);
  const evalSeed = intOption('eval-seed', values['eval-seed'], 2018, 0);
  const config = {
    maxLen: intOption('max-len', values['max-len'], 50),
    hidden: intOption('hidden', values.hidden, 50),
    blocks: intOption('blocks', values.blocks, 2),
    heads: intOption('heads', values.heads, 1),
    dropout: numberOption('dropout', values.dropout, 0.5, 0.95),
  };
  const epochs = intOption('epochs', values.epochs, 200);
  const evalEvery = intOption('eval-every', values['eval-every'], 5);
  const patience = intOption('patience', values.patience, 4, 0);
  const maxMinutes =
    values['max-minutes'] === undefined
      ? undefined
      : numberOption('max-minutes', values['max-minutes'], 0, 1e6);
  const lr = numberOption('lr', values.lr, 0.001, 1);
  const embeddingLr = numberOption('embedding-lr', values['embedding-lr'], lr, 1);
  const weightDecay = numberOption('weight-decay', values['weight-decay'], 0, 1);
  const batchSize = intOption('batch', values.batch, 128);
  const negatives = intOption('negatives', values.negatives, 256);
  const maxUsers = intOption('max-users', values['max-users'], 10_000);
  const started = performance.now();

  const selection = await trainingBackend(values.backend);

  const dataPath = await inputFile(values.data, 'sequence file', '../shared/datasets/sequences');
  const data = await readSequences(dataPath);
  const itemIds = buildVocabulary(data.sequences);
  const split = leaveOneOut(data.sequences, itemIds);
  const evalSet = evaluationSet(split, { maxUsers, seed: evalSeed });
  const dataset = basename(dataPath).replace(/\.(txt|tsv|csv)(\.gz)?$/, '');
  say(
    `read ${int(data.interactions)} interactions of ${int(data.users.length)} users on ${int(itemIds.length - 1)} items ` +
      `from ${dataPath}; ${int(evalSet.users.length)} users scored`,
  );

  const popularity = popularityScorer(split);
  const popValid = await evaluateRanking(split, evalSet, 'valid', config.maxLen, popularity);
  const popTest = await evaluateRanking(split, evalSet, 'test', config.maxLen, popularity);
  say(`popularity baseline, validation: HR@10 ${f4(popValid.hr10)}, NDCG@10 ${f4(popValid.ndcg10)}`);

  const bar = new ProgressBar();
  const result = await trainSasRec(itemIds, split, evalSet, {
    config,
    loss,
    epochs,
    evalEvery,
    patience,
    ...(maxMinutes !== undefined ? { maxSeconds: maxMinutes * 60 } : {}),
    lr,
    embeddingLr,
    batchSize,
    batching,
    negatives,
    weightDecay,
    tableUpdate,
    seed,
    onProgress: (p) => bar.update(`train ${loss}`, p),
    onEvaluation: (e) => {
      bar.end();
      say(
        `epoch ${e.epoch}: validation HR@10 ${f4(e.valid.hr10)}, NDCG@10 ${f4(e.valid.ndcg10)} ` +
          `(full ranking ${f4(e.valid.fullHr10)} / ${f4(e.valid.fullNdcg10)}; ${e.seconds.toFixed(1)} s)`,
      );
    },
  });
  bar.end();
  const model = result.model;
  const valid = result.best;
  const test = await evaluateRanking(split, evalSet, 'test', config.maxLen, modelScorer(model));
  const totalSeconds = (performance.now() - started) / 1000;

  const header = ['predictor', 'HR@10', 'NDCG@10', 'full HR@10', 'full NDCG@10'];
  const rows = [
    row('SASRec, test', test),
    row('popularity, test', popTest),
    row('SASRec, validation', valid),
    row('popularity, validation', popValid),
  ];
  const facts = [
    `${int(evalSet.users.length)} scored users; target ranked against 100 sampled negatives (HR/NDCG) and against all ${int(itemIds.length - 1)} items minus the input history (full)`,
    `config: maxLen ${config.maxLen}, hidden ${config.hidden}, blocks ${config.blocks}, heads ${config.heads}, dropout ${config.dropout}; loss ${loss}${loss === 'sampled' ? ` (${negatives} negatives)` : ''}, lr ${lr} (embeddings ${embeddingLr}), batch ${batchSize} (${batching}), weight decay ${weightDecay}, ${tableUpdate} item-table updates; ${int(model.parameterCount())} parameters`,
    `kept epoch ${result.bestEpoch} of ${result.epochsRun} (best validation NDCG@10, evaluated every ${evalEvery}; stopped by ${result.stopped === 'epochs' ? 'the epoch limit' : result.stopped === 'patience' ? `patience ${patience}` : `the ${maxMinutes}-minute limit`})`,
    `training ${result.trainingSeconds.toFixed(0)} s (${(result.trainingSeconds / result.epochsRun).toFixed(1)} s/epoch, ${int(result.sequences)} sequences), validation ${result.evaluationSeconds.toFixed(0)} s, whole run ${totalSeconds.toFixed(0)} s`,
    `backend: ${selection.backend} (${selection.device}); seed ${seed}, evaluation seed ${evalSeed}`,
  ];
  process.stdout.write(
    `\nSASRec on ${basename(dataPath)}\n\n${formatTable(header, rows)}\n\n${facts.map((f) => `  ${f}`).join('\n')}\n`,
  );

  const html = renderSasRecReport({
    title: `SASRec on ${basename(dataPath)}`,
    table: { header, rows },
    notes: facts,
    lossCurve: result.lossCurve,
    evaluations: result.evaluations.map((e) => ({
      epoch: e.epoch,
      hr10: e.valid.hr10,
      ndcg10: e.valid.ndcg10,
    })),
    baseline: popValid,
    bestEpoch: result.bestEpoch,
  });
  const modelsDir = resolve(values['models-dir']!);
  const saved = await saveVersion(modelsDir, SASREC_MODEL_NAME, async (dir) => {
    await model.save(dir);
    await writeFile(join(dir, 'report.html'), html);
    return {
      dataset,
      data: {
        path: values.data,
        users: data.users.length,
        items: itemIds.length - 1,
        interactions: data.interactions,
      },
      backend: { name: selection.backend, device: selection.device, provider: selection.provider },
      seed,
      evalSeed,
      loss,
      config,
      training: {
        lr,
        embeddingLr,
        batchSize,
        batching,
        tableUpdate,
        negatives: loss === 'sampled' ? negatives : undefined,
        weightDecay,
        epochsRun: result.epochsRun,
        stopped: result.stopped,
        maxMinutes,
        bestEpoch: result.bestEpoch,
        trainingSeconds: result.trainingSeconds,
        evaluationSeconds: result.evaluationSeconds,
        epochLosses: result.epochLosses,
      },
      parameters: model.parameterCount(),
      validation: valid,
      test,
      popularity: { validation: popValid, test: popTest },
      evaluations: result.evaluations,
      totalSeconds,
    };
  });
  if (values.report) {
    await writeFile(resolve(values.report), html);
    say(`report: ${resolve(values.report)}`);
  }
  model.dispose();
  say(`saved ${saved.dir} (model.json, weights.bin, metrics.json, report.html)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
