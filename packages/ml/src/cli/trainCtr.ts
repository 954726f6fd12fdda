#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { saveVersion } from '../core/registry.js';
import type { ScoredPredictor } from '../core/training/scores.js';
import { type CtrEvaluation, DEFAULT_CTR_CANDIDATES, evaluateCtr } from '../ctr/evaluate.js';
import { CTR_FORMATS, detectCtrFormat, readCtrData } from '../ctr/read.js';
import { renderCtrReport } from '../ctr/report.js';
import { CTR_MODEL_NAME } from '../ctr/types.js';
import { inputFile, intOption, oneOf, say, trainingBackend } from './options.js';
import { ProgressBar } from './progress.js';

const USAGE = `Trains the CTR models (logistic regression and AutoInt) on labelled impressions, compares them on a
fixed 80/10/10 split and saves the one with the lower validation log-loss to the model registry.

Usage: node packages/ml/dist/cli/trainCtr.js --data <file> [options]

  --data <file>            Criteo TSV (label, I1..I13, C1..C26) or JSON lines {label, fields}; gzip ok
  --format <f>             ${CTR_FORMATS.join('|')} (default: jsonl for .jsonl/.ndjson, else criteo)
  --numeric-fields <a,b>   jsonl: fields log²-bucketed as counts (default: all categorical)
  --seed <n>               seed of the split, initialisation and shuffling (default 7)
  --epochs <n>             most epochs per setting, early-stopped on validation log-loss (default 20)
  --patience <n>           epochs without improvement before stopping (default 2)
  --min-count <n>          training occurrences a value needs for its own bucket (default 3)
  --grid <g>               quick (one setting per model) | default (${DEFAULT_CTR_CANDIDATES.length} settings)
  --models-dir <dir>       registry root; the winner is saved under <dir>/${CTR_MODEL_NAME}/<version>/ (default .data/models)
  --report <file>          also write the HTML report there (it is always saved with the model)
  --backend <b>            tensorflow|wasm|cpu (default: TFJS_BACKEND, else the fastest present)
  -h, --help`;

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const withoutCurves = ({ roc: _r, calibration: _c, ...s }: ScoredPredictor) => s;

function summary(e: CtrEvaluation): { header: string[]; rows: string[][] } {
  const header = ['predictor', 'val AUC', 'val log-loss', 'test AUC', 'test log-loss', 'test mean p'];
  const pairs: [ScoredPredictor, ScoredPredictor][] = [
    ...Object.values(e.kinds).map((k) => [k.validation, k.test] as [ScoredPredictor, ScoredPredictor]),
    [e.baseRate.validation, e.baseRate.test],
  ];
  const rows = pairs.map(([v, t]) => [
    v.name,
    v.auc.toFixed(4),
    v.logLoss.toFixed(4),
    t.auc.toFixed(4),
    t.logLoss.toFixed(4),
    t.meanPrediction.toFixed(4),
  ]);
  return { header, rows };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      format: { type: 'string' },
      'numeric-fields': { type: 'string' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      patience: { type: 'string' },
      'min-count': { type: 'string' },
      grid: { type: 'string', default: 'default' },
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
  const givenFormat = values.format === undefined ? undefined : oneOf('format', values.format, CTR_FORMATS);
  const grid = oneOf('grid', values.grid, ['quick', 'default']);
  const seed = intOption('seed', values.seed, 7);
  const minCount = intOption('min-count', values['min-count'], 3);
  const candidates =
    grid === 'quick'
      ? (['logreg', 'autoint'] as const).map((kind) => DEFAULT_CTR_CANDIDATES.find((c) => c.kind === kind)!)
      : DEFAULT_CTR_CANDIDATES;
  const started = performance.now();

  const selection = await trainingBackend(values.backend);

  const dataPath = await inputFile(values.data, 'data', '../shared/datasets');
  const format = givenFormat ?? detectCtrFormat(dataPath);
  const numericFields = values['numeric-fields']
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const data = await readCtrData(dataPath, format, numericFields ? { numericFields } : {});
  const clicks = data.labels.reduce((a, b) => a + b, 0);
  say(
    `read ${data.labels.length} rows (${((100 * clicks) / Math.max(1, data.labels.length)).toFixed(1)}% clicks, ${data.fields.length} fields) from ${dataPath}`,
  );

  const bar = new ProgressBar();
  const evaluation = await evaluateCtr(data, {
    seed,
    minCount,
    candidates,
    epochs: intOption('epochs', values.epochs, 20),
    patience: intOption('patience', values.patience, 2),
    onProgress: (stage, p) => bar.update(stage, p),
    log: (line) => {
      bar.end();
      say(line);
    },
  });
  bar.end();
  const totalSeconds = (performance.now() - started) / 1000;
  const served = evaluation.kinds[evaluation.winner]!;
  const table = summary(evaluation);
  const s = evaluation.split;
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const facts = [
    `split (seed ${s.seed}): ${s.train} train / ${s.validation} validation / ${s.test} test rows; clicks ${pct(s.trainRate)} / ${pct(s.validationRate)} / ${pct(s.testRate)}`,
    `encoder fitted on the training rows: ${evaluation.encoder.size} ids over ${evaluation.encoder.fields.length} fields (values seen >= ${minCount} times; else the field's OOV bucket)`,
    ...Object.values(evaluation.kinds).map(
      (k) =>
        `${k.validation.name}: ${k.result.model.parameterCount()} parameters, best epoch ${k.result.bestEpoch}, trained in ${k.result.trainingSeconds.toFixed(1)} s`,
    ),
    `served: ${served.validation.name}, the lower validation log-loss (pCTR is used as a probability, so calibration counts; the test split chose nothing)`,
    `backend: ${selection.backend} (${selection.device}); ${evaluation.candidates.length} settings trained in ${evaluation.trainingSeconds.toFixed(1)} s; whole run ${totalSeconds.toFixed(0)} s`,
  ];
  process.stdout.write(
    `\nCTR models on ${basename(dataPath)}\n\n${formatTable(table.header, table.rows)}\n\n${facts.map((f) => `  ${f}`).join('\n')}\n`,
  );

  const html = renderCtrReport(`CTR models on ${basename(dataPath)}`, evaluation, table, facts);
  if (values.report) {
    const path = resolve(values.report);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, html);
    say(`report: ${path}`);
  }
  const saved = await saveVersion(resolve(values['models-dir']), CTR_MODEL_NAME, async (dir) => {
    await served.result.model.save(dir);
    await writeFile(join(dir, 'report.html'), html);
    return {
      kind: evaluation.winner,
      criterion: 'validation log-loss',
      data: { path: values.data, format, rows: s.rows, fields: data.fields },
      split: s,
      seed,
      minCount,
      backend: { name: selection.backend, device: selection.device, provider: selection.provider },
      config: served.result.model.config,
      parameters: served.result.model.parameterCount(),
      models: Object.fromEntries(
        Object.entries(evaluation.kinds).map(([kind, k]) => [
          kind,
          {
            candidate: k.candidate,
            bestEpoch: k.result.bestEpoch,
            trainingSeconds: k.result.trainingSeconds,
            validation: withoutCurves(k.validation),
            test: withoutCurves(k.test),
          },
        ]),
      ),
      baseRate: {
        validation: withoutCurves(evaluation.baseRate.validation),
        test: withoutCurves(evaluation.baseRate.test),
      },
      candidates: evaluation.candidates,
      trainingSeconds: evaluation.trainingSeconds,
      totalSeconds,
    };
  });
  for (const k of Object.values(evaluation.kinds)) k.result.model.dispose();
  say(`saved ${saved.dir} (${evaluation.winner}: model.json, weights.bin, metrics.json, report.html)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
