import type { FeedbackSummaryDoc } from '../models/index.js';
import { COMPLAINT_REASONS, reasonCounter } from '../rules/feedbackRules.js';
import { complaintRate } from '../rules/flagRule.js';

/** The public totals of a target; one without a stored summary has had no feedback. Pure. */
export function summarize(s: FeedbackSummaryDoc | null | undefined) {
  const n = (k: Exclude<keyof FeedbackSummaryDoc, '_id'>) => (s ? Number(s[k]) || 0 : 0);
  const impressions = n('impressions');
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
    impressions,
    complaintRate: complaintRate({ complaints: n('complaints'), impressions }),
    complaintsByReason: COMPLAINT_REASONS.map((reason) => {
      const complaints = n(reasonCounter(reason));
      return { reason, complaints, rate: complaintRate({ complaints, impressions }) };
    }),
  };
}
