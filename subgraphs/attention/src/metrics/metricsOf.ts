import { attentionStats } from './attentionMetrics.js';
import { MEASURES, type Measures } from './measures.js';

/** Turns stored sums into the API's numbers. Pure. */

export type AttentionMetric =
  | 'EVENTS'
  | 'IMPRESSIONS'
  | 'VIEWABLE_IMPRESSIONS'
  | 'VIEWABILITY_RATE'
  | 'TIME_IN_VIEW_SECONDS'
  | 'ENGAGED_SECONDS'
  | 'AVERAGE_ENGAGED_SECONDS'
  | 'CLICKS'
  | 'CLICK_THROUGH_RATE'
  | 'AVERAGE_DWELL_SECONDS'
  | 'SCROLL_50_RATE'
  | 'ATTENTION_PER_MILLE';

export function sums(doc: Partial<Measures> | null | undefined): Measures {
  const out = {} as Measures;
  for (const m of MEASURES) out[m] = Number(doc?.[m] ?? 0) || 0;
  return out;
}

export function addSums(into: Measures, doc: Partial<Measures>): Measures {
  for (const m of MEASURES) into[m] += Number(doc[m] ?? 0) || 0;
  return into;
}

export function statsOf(s: Measures, lastEventAt: number | null) {
  return {
    ...attentionStats({
      impressions: s.impressions,
      viewable: s.viewable,
      timeInViewMs: s.timeInViewMs,
      engagedMs: s.engagedMs,
      clicks: s.clicks,
    }),
    events: s.events,
    averageDwellSeconds: s.dwells > 0 ? s.dwellMs / s.dwells / 1000 : null,
    scroll50Rate: s.impressions > 0 ? Math.min(1, s.scroll50 / s.impressions) : 0,
    lastEventAt,
  };
}

export function metricOf(metric: AttentionMetric, s: Measures): number {
  const per = (x: number, n: number) => (n > 0 ? x / n : 0);
  switch (metric) {
    case 'EVENTS':
      return s.events;
    case 'IMPRESSIONS':
      return s.impressions;
    case 'VIEWABLE_IMPRESSIONS':
      return s.viewable;
    case 'VIEWABILITY_RATE':
      return per(s.viewable, s.impressions);
    case 'TIME_IN_VIEW_SECONDS':
      return s.timeInViewMs / 1000;
    case 'ENGAGED_SECONDS':
      return s.engagedMs / 1000;
    case 'AVERAGE_ENGAGED_SECONDS':
      return per(s.engagedMs / 1000, s.impressions);
    case 'CLICKS':
      return s.clicks;
    case 'CLICK_THROUGH_RATE':
      return per(s.clicks, s.impressions);
    case 'AVERAGE_DWELL_SECONDS':
      return per(s.dwellMs / 1000, s.dwells);
    case 'SCROLL_50_RATE':
      return per(s.scroll50, s.impressions);
    case 'ATTENTION_PER_MILLE':
      return per(s.timeInViewMs, s.impressions);
  }
}
