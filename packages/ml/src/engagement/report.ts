import { type ClassifierReportInput, renderClassifierReport } from '../core/training/classifierReport.js';

export type ReportInput = Omit<ClassifierReportInput, 'captions'> & {
  /** Figure captions, where the engagement protocol's do not fit. */
  captions?: Partial<ClassifierReportInput['captions']>;
};

const CAPTIONS: ClassifierReportInput['captions'] = {
  loss: 'Training loss of the final model (weighted BCE).',
  validation: 'Validation log-loss per epoch, mean over the folds inside the training window.',
  roc: 'ROC on the test hours.',
  calibration: 'Reliability on the test hours (deciles of the prediction).',
};

/** The HTML report of an engagement evaluation: loss, validation folds, ROC and reliability on the test hours. */
export function renderReport(input: ReportInput): string {
  return renderClassifierReport({ ...input, captions: { ...CAPTIONS, ...input.captions } });
}
