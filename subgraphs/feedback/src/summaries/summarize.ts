import type { FeedbackSummaryDoc } from '../models/index.js';

/** The public totals of a target; one without a stored summary has had no feedback. Pure. */
export function summarize(s: FeedbackSummaryDoc | null | undefined) {
  const n = (k: Exclude<keyof FeedbackSummaryDoc, '_id'>) => (s ? Number(s[k]) || 0 : 0);
  return {
    clicks: n('clicks'),
    likes: n('likes'),
    dislikes: n('dislikes'),
    hides: n('hides'),
    complaints: n('complaints'),
    conversions: n('conversions'),
    ratingCount: n('ratingCount'),
    ratingAverage: n('ratingCount') > 0 ? n('ratingSum') / n('ratingCount') : null,
    dwellCount: n('dwellCount'),
    averageDwellSeconds: n('dwellCount') > 0 ? n('dwellMsSum') / n('dwellCount') / 1000 : null,
  };
}
