#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { saveVersion } from '../core/registry.js';
import {
  type Candidate,
  DEFAULT_CANDIDATES,
  type EvaluationResult,
  evaluateEngagement,
} from '../engagement/evaluate.js';
import { EVENT_FORMATS, readEventLog } from '../engagement/eventLog.js';
import { renderReport } from '../engagement/report.js';
import { inputFile, intOption, oneOf, say, trainingBackend } from './options.js';
import { ProgressBar } from './progress.js';

const USAGE = `Trains the engagement (attention) model on an event log and evaluates it against baselines.

Usage: node packages/ml/dist/cli/trainEngagement.js --data <file> [options]

  --data <file>          event log: Globo clicks CSV, CSV (user_id,timestamp[,weight]) or JSON lines; gzip ok
  --format <f>           ${EVENT_FORMATS.join('|')} (default: detected)
  --out <dir>            model folder; each run adds <dir>/<version>/ (default .data/models/engagement)
  --epochs <n>           fixed epoch count (default: chosen on the validation folds, at most --max-epochs)
  --max-epochs <n>       most epochs tried per setting (default 4)
  --seed <n>             seed of sampling, initialisation and shuffling (default 42)
  --max-examples <n>     training examples per fit, subsampled beyond (default 400000)
  --grid <g>             quick (one setting) | default (${DEFAULT_CANDIDATES.length} settings)
  --train-hours <n>      training window from the first event's hour (default 36)
  --test-hours <n>       hours predicted after it (default 12)
  --backend <b>          tensorflow|wasm|cpu (default: TFJS_BACKEND, else the fastest present)
  -h, --help`;

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function summaryRows(r: EvaluationResult): string[][] {
  return [r.test.model, r.test.baseline, r.test.hourBaseline].map((p) => [
    p.name,
    p.auc.toFixed(4),
    p.logLoss.toFixed(4),
    p.brier.toFixed(5),
    p.meanPrediction.toFixed(4),
  ]);
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string', default: '.data/models/engagement' },
      epochs: { type: 'string' },
      'max-epochs': { type: 'string' },
      seed: { type: 'string' },
      'max-examples': { type: 'string' },
      grid: { type: 'string', default: 'default' },
      'train-hours': { type: 'string' },
      'test-hours': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.data) throw new Error(`--data is required\n\n${USAGE}`);
  const format = values.format === undefined ? undefined : oneOf('format', values.format, EVENT_FORMATS);
  const grid = oneOf('grid', values.grid, ['quick', 'default']);
  const seed = intOption('seed', values.seed, 42)!;
  const candidates: Candidate[] = grid === 'quick' ? DEFAULT_CANDIDATES.slice(0, 1) : DEFAULT_CANDIDATES;
  const started = performance.now();

  const selection = await trainingBackend(values.backend);

  const dataPath = await inputFile(values.data, 'event log', '../shared/datasets');
  const log = await readEventLog(dataPath, format);
  say(`read ${int(log.events)} events of ${int(log.userIds.length)} users from ${dataPath}`);

  const bar = new ProgressBar();
  const result = await evaluateEngagement(log.histories, {
    trainHours: intOption('train-hours', values['train-hours'], 36),
    testHours: intOption('test-hours', values['test-hours'], 12),
    candidates,
    epochs: intOption('epochs', values.epochs),
    maxEpochs: intOption('max-epochs', values['max-epochs'], 4),
    maxExamples: intOption('max-examples', values['max-examples'], 400_000),
    seed,
    onProgress: (stage, p) => bar.update(stage, p),
    log: (line) => {
      bar.end();
      say(line);
    },
  });
  bar.end();
  const totalSeconds = (performance.now() - started) / 1000;

  const header = ['predictor', 'AUC', 'log-loss', 'Brier', 'mean p'];
  const rows = summaryRows(result);
  const t = result.test;
  const tr = result.training;
  const facts = [
    `test: ${int(t.users)} users x ${t.pairs / Math.max(1, t.users)} hours = ${int(t.pairs)} pairs, positives ${pct(t.positiveRate)}`,
    `training: ${tr.trainingSeconds.toFixed(1)} s for ${tr.epochs.length} epochs on ${int(tr.examples.count)} examples (of ${int(tr.examples.candidates)} candidates; positives kept at ${pct(tr.examples.positiveSampleRate)}, negatives at ${pct(tr.examples.negativeSampleRate)}, loss-weighted by the inverse rates)`,
    `chosen on validation (folds inside the training window): ${result.validation.chosen.name}, ${result.validation.epochs} epochs`,
    `backend: ${selection.backend} (${selection.device}); test inference ${t.predictSeconds.toFixed(1)} s; whole run ${totalSeconds.toFixed(0)} s`,
    `baseline: P(active) = (k + a) / (n + a + b), k = the user's active hours among the n = ${(Date.parse(result.data.trainEnd) - Date.parse(result.data.start)) / 3_600_000} training hours, Beta(a = ${t.prior.alpha.toPrecision(3)}, b = ${t.prior.beta.toPrecision(3)}) fitted by maximum likelihood (zero-truncated beta-binomial) to all users with an event in the training window`,
    `hour-of-day variant: (k_h + m p_user) / (n_h + m), m = ${result.validation.hourBaselineStrength} chosen on validation`,
  ];
  process.stdout.write(
    `\nEngagement model: P(user active in hour) on ${basename(dataPath)}\n` +
      `train ${result.data.start} .. ${result.data.trainEnd}, test .. ${result.data.testEnd}\n\n` +
      `${formatTable(header, rows)}\n\n${facts.map((f) => `  ${f}`).join('\n')}\n`,
  );

  const out = resolve(values.out);
  const saved = await saveVersion(dirname(out), basename(out), async (dir) => {
    await result.model.save(dir);
    await writeFile(
      join(dir, 'report.html'),
      renderReport({
        title: `Engagement model on ${basename(dataPath)}`,
        table: { header, rows },
        notes: facts,
        lossCurve: tr.curve,
        validationCurves: result.validation.candidates.map((c) => ({
          name: c.candidate.name,
          logLoss: c.meanLogLoss,
        })),
        roc: [
          { name: t.model.name, color: '#1f77b4', points: t.model.roc },
          { name: t.baseline.name, color: '#d62728', points: t.baseline.roc },
          { name: t.hourBaseline.name, color: '#2ca02c', points: t.hourBaseline.roc },
        ],
        calibration: [
          { name: t.model.name, color: '#1f77b4', bins: t.model.calibration },
          { name: t.baseline.name, color: '#d62728', bins: t.baseline.calibration },
        ],
      }),
    );
    const { roc: _m, ...model } = t.model;
    const { roc: _b, ...baseline } = t.baseline;
    const { roc: _h, ...hourBaseline } = t.hourBaseline;
    return {
      data: { path: values.data, format: values.format ?? 'detected', ...result.data },
      backend: { name: selection.backend, device: selection.device, provider: selection.provider },
      seed,
      config: result.model.config,
      parameters: result.model.parameterCount(),
      test: { ...t, model, baseline, hourBaseline },
      validation: {
        chosen: result.validation.chosen,
        epochs: result.validation.epochs,
        hourBaselineStrength: result.validation.hourBaselineStrength,
        baselines: result.validation.baselines,
        candidates: result.validation.candidates.map((c) => ({
          candidate: c.candidate,
          meanLogLoss: c.meanLogLoss,
          meanAuc: c.meanAuc,
          bestEpoch: c.bestEpoch,
          folds: c.folds,
        })),
      },
      training: tr,
      totalSeconds,
    };
  });
  result.model.dispose();
  say(`saved ${saved.dir} (model.json, weights.bin, metrics.json, report.html)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
