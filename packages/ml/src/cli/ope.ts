import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  DEFAULT_AD_POLICIES,
  DEFAULT_REC_POLICIES,
  evaluateLog,
  formatEvaluation,
} from '../ope/evaluateLog.js';
import { isAdPolicy, isRecPolicy } from '../ope/policies.js';
import { type DecisionRecord, parseDecisionRecord } from '../ope/records.js';
import { simulate } from '../ope/simulate.js';
import { intOption, numberOption, oneOf, say } from './options.js';

const USAGE = `npm run ope -- --log <decisions.jsonl> [options]     estimate candidate policies' CTR from a decision log
npm run ope -- --simulate [--seed N --decisions N --repeats N]   the estimators against a known truth

  --log <file>        JSONL from npm run export:ad-decisions or export:rec-decisions (both kinds may be mixed)
  --policy <a,b,..>   ads: greedy-ecpm, greedy-ctr, uniform, egreedy-ecpm:<eps> (default ${DEFAULT_AD_POLICIES.join(',')});
                      recommendation: greedy, by-score, epsilon:<eps> (default ${DEFAULT_REC_POLICIES.join(',')})
  --max-weight <w>    cap importance weights at w (clipping; default none)
  --level <p>         confidence level (default 0.95)
  --ci normal|bootstrap   delta-method (default) or percentile bootstrap intervals (200 resamples of the
                      decisions per policy: minutes on a log of 100,000s)
  --all-decisions     ads: count decisions never shown too (default: shown ones only)
  --json <file>       also write the results as JSON`;

async function readLog(path: string): Promise<DecisionRecord[]> {
  const records: DecisionRecord[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    records.push(parseDecisionRecord(line, n));
    if (n % 100_000 === 0) say(`read ${n.toLocaleString('en-US')} lines`);
  }
  return records;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      log: { type: 'string' },
      policy: { type: 'string' },
      'max-weight': { type: 'string' },
      level: { type: 'string' },
      ci: { type: 'string', default: 'normal' },
      'all-decisions': { type: 'boolean' },
      json: { type: 'string' },
      simulate: { type: 'boolean' },
      seed: { type: 'string' },
      decisions: { type: 'string' },
      repeats: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const level = numberOption('level', values.level, 0.95, 0.999);
  if (values.simulate) {
    const r = simulate({
      seed: intOption('seed', values.seed, 7),
      decisions: intOption('decisions', values.decisions, 5000),
      repeats: intOption('repeats', values.repeats, 50),
      estimator: { level },
      onRepeat: (d, t) => d % 10 === 0 && say(`repeat ${d}/${t}`),
    });
    for (const p of r.results) {
      process.stdout.write(
        `\n${p.policy}: true CTR ${(100 * p.truth).toFixed(3)}% (logging ${(100 * p.loggingTruth).toFixed(3)}%), mean ESS ${Math.round(p.meanEss)}\n`,
      );
      for (const [name, e] of Object.entries(p.errors))
        process.stdout.write(
          `  ${name.padEnd(6)} bias ${(100 * e.bias).toFixed(3).padStart(7)} pts  RMSE ${(100 * e.rmse).toFixed(3).padStart(6)} pts  coverage ${(100 * e.coverage).toFixed(0).padStart(3)}%\n`,
        );
    }
    if (values.json) await writeFile(values.json, JSON.stringify(r, null, 2));
    return;
  }
  if (!values.log) throw new Error(`--log is required\n\n${USAGE}`);
  const ciKind = oneOf('ci', values.ci, ['normal', 'bootstrap'] as const);
  const maxWeight =
    values['max-weight'] === undefined ? undefined : numberOption('max-weight', values['max-weight'], 0, 1e9);
  const records = await readLog(values.log);
  say(`read ${records.length.toLocaleString('en-US')} decisions from ${values.log}`);
  const asked = values.policy
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const results = [];
  for (const kind of ['ad', 'rec'] as const) {
    if (!records.some((r) => r.kind === kind)) continue;
    const defaults = kind === 'ad' ? DEFAULT_AD_POLICIES : DEFAULT_REC_POLICIES;
    const unknown = asked?.find((p) => !isAdPolicy(p) && !isRecPolicy(p));
    if (unknown) throw new Error(`unknown policy "${unknown}"\n\n${USAGE}`);
    const mine = asked?.filter(kind === 'ad' ? isAdPolicy : isRecPolicy);
    const e = evaluateLog(records, kind, mine?.length ? mine : defaults, {
      level,
      maxWeight,
      ci: ciKind,
      shownOnly: !values['all-decisions'],
      onProgress: (policy, rep, reps) => rep % 20 === 0 && say(`bootstrap ${policy}: ${rep}/${reps}`),
    });
    results.push(e);
    process.stdout.write(`\n${formatEvaluation(e, level)}\n`);
  }
  if (results.length === 0) say('no decisions to evaluate');
  if (values.json) await writeFile(values.json, JSON.stringify(results, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
