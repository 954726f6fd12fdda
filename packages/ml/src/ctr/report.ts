import { renderReport } from '../engagement/report.js';
import type { CtrEvaluation } from './evaluate.js';

const COLORS: Record<string, string> = { logreg: '#d62728', autoint: '#1f77b4' };

// renderReport's figure captions describe the engagement protocol; these say what the CTR charts show.
const CAPTIONS: [string, string][] = [
  [
    'Training loss of the final model (weighted BCE).',
    'Training objective (cross-entropy + L2 penalty) of the served model.',
  ],
  [
    'Validation log-loss per epoch, mean over the folds inside the training window.',
    'Validation log-loss per epoch of every candidate (early stopping keeps the best epoch).',
  ],
  ['ROC on the test hours.', 'ROC on the test split.'],
  [
    'Reliability on the test hours (deciles of the prediction).',
    'Reliability on the test split (deciles of the prediction).',
  ],
];

/** The HTML report of a CTR evaluation: the side-by-side table, notes, loss, validation, ROC and reliability curves. */
export function renderCtrReport(
  title: string,
  evaluation: CtrEvaluation,
  table: { header: string[]; rows: string[][] },
  notes: string[],
): string {
  const kinds = Object.entries(evaluation.kinds);
  const served = evaluation.kinds[evaluation.winner]!;
  let html = renderReport({
    title,
    table,
    notes,
    lossCurve: served.result.curve,
    validationCurves: evaluation.candidates.map((c) => ({
      name: c.candidate.name,
      logLoss: c.epochs.map((e) => e.validationLogLoss),
    })),
    roc: [
      ...kinds.map(([kind, k]) => ({ name: k.test.name, color: COLORS[kind]!, points: k.test.roc })),
      { name: evaluation.baseRate.test.name, color: '#2ca02c', points: evaluation.baseRate.test.roc },
    ],
    calibration: kinds.map(([kind, k]) => ({
      name: k.test.name,
      color: COLORS[kind]!,
      bins: k.test.calibration,
    })),
  });
  for (const [from, to] of CAPTIONS) {
    if (!html.includes(from)) throw new Error(`renderCtrReport: caption "${from}" not found in the report`);
    html = html.replace(from, to);
  }
  return html;
}
