import { renderClassifierReport } from '../core/training/classifierReport.js';
import type { CtrEvaluation } from './evaluate.js';

const COLORS: Record<string, string> = { logreg: '#d62728', autoint: '#1f77b4' };

/** The HTML report of a CTR evaluation: the side-by-side table, notes, loss, validation, ROC and reliability curves. */
export function renderCtrReport(
  title: string,
  evaluation: CtrEvaluation,
  table: { header: string[]; rows: string[][] },
  notes: string[],
): string {
  const kinds = Object.entries(evaluation.kinds);
  const served = evaluation.kinds[evaluation.winner]!;
  return renderClassifierReport({
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
    captions: {
      loss: 'Training objective (cross-entropy + L2 penalty) of the served model.',
      validation: 'Validation log-loss per epoch of every candidate (early stopping keeps the best epoch).',
      roc: 'ROC on the test split.',
      calibration: 'Reliability on the test split (deciles of the prediction).',
    },
  });
}
