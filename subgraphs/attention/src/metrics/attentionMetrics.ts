/**
 * Attention measured by the industry's rules, as pure functions over the events of one view (one
 * impression of an item or an ad, identified by its impressionId).
 *
 * - Viewable impression (MRC): display creatives need ≥ 50% of their pixels in view for ≥ 1 continuous
 *   second, large display creatives (≥ 242,500 pixels) ≥ 30%; video needs ≥ 50% for ≥ 2 continuous
 *   seconds. A view counts as viewable once.
 * - Time in view: the duration of view segments that meet the pixel threshold, capped at 180 s per view.
 * - Engaged time: each activity (a scroll, a key, a pointer move) credits the next 5 s while the tab is
 *   visible; overlapping credits count once, and a hide or an exit takes back what lies beyond it.
 * - Scroll depth: the milestones 25/50/75/100% each count once per view.
 * - Dwell: exit time minus entry time.
 */

export const MRC_DISPLAY_FRACTION = 0.5;
export const MRC_LARGE_DISPLAY_FRACTION = 0.3;
export const MRC_LARGE_DISPLAY_PIXELS = 242_500;
export const MRC_DISPLAY_MS = 1_000;
export const MRC_VIDEO_FRACTION = 0.5;
export const MRC_VIDEO_MS = 2_000;
export const MAX_TIME_IN_VIEW_MS = 180_000;
export const ENGAGED_CREDIT_MS = 5_000;
export const SCROLL_MILESTONES = [25, 50, 75, 100] as const;

export type Media = 'DISPLAY' | 'VIDEO';

/** The pixel share and continuous time a view segment needs for the view to be viewable. */
export function viewabilityThreshold(
  media: Media,
  creativeSize?: { width: number; height: number } | null,
): { fraction: number; ms: number } {
  if (media === 'VIDEO') return { fraction: MRC_VIDEO_FRACTION, ms: MRC_VIDEO_MS };
  const pixels = creativeSize ? creativeSize.width * creativeSize.height : 0;
  return {
    fraction: pixels >= MRC_LARGE_DISPLAY_PIXELS ? MRC_LARGE_DISPLAY_FRACTION : MRC_DISPLAY_FRACTION,
    ms: MRC_DISPLAY_MS,
  };
}

/** The state of one view, carried from batch to batch. */
export interface ViewState {
  media: Media;
  creativeSize: { width: number; height: number } | null;
  enteredAt: number | null;
  exited: boolean;
  viewable: boolean;
  timeInViewMs: number;
  engagedMs: number;
  /** The end of the engaged time credited so far (epoch ms). */
  creditedUntil: number;
  visible: boolean;
  /** Deepest scroll milestone reached, 0 for none. */
  scrollMilestone: number;
}

export function newViewState(): ViewState {
  return {
    media: 'DISPLAY',
    creativeSize: null,
    enteredAt: null,
    exited: false,
    viewable: false,
    timeInViewMs: 0,
    engagedMs: 0,
    creditedUntil: 0,
    visible: true,
    scrollMilestone: 0,
  };
}

/** One event as the rules see it. */
export interface ViewEvent {
  type: string;
  occurredAt: number;
  media?: Media | null;
  creativeSize?: { width: number; height: number } | null;
  visibleFraction?: number | null;
  durationMs?: number | null;
  scrollDepth?: number | null;
  visible?: boolean | null;
}

/** What one event adds to the rollups. */
export interface ViewDelta {
  impressions: number;
  viewable: number;
  timeInViewMs: number;
  engagedMs: number;
  clicks: number;
  /** Milestones newly reached, e.g. [25, 50]. */
  scrollMilestones: number[];
  dwellMs: number;
  dwells: number;
}

export const emptyDelta = (): ViewDelta => ({
  impressions: 0,
  viewable: 0,
  timeInViewMs: 0,
  engagedMs: 0,
  clicks: 0,
  scrollMilestones: [],
  dwellMs: 0,
  dwells: 0,
});

/** Takes back engaged time credited beyond `at` (the tab was hidden or the page left). */
function truncateCredit(state: ViewState, at: number, delta: ViewDelta): void {
  if (state.creditedUntil > at) {
    const back = Math.min(state.creditedUntil - at, ENGAGED_CREDIT_MS);
    state.engagedMs -= back;
    delta.engagedMs -= back;
    state.creditedUntil = at;
  }
}

/**
 * Applies one event to a view (mutating `state`) and returns what it adds to the rollups. Events are
 * expected in time order within a view; a late one is applied as it comes.
 */
export function applyViewEvent(state: ViewState, e: ViewEvent): ViewDelta {
  const delta = emptyDelta();
  if (e.media) state.media = e.media;
  if (e.creativeSize) state.creativeSize = e.creativeSize;
  switch (e.type) {
    case 'IMPRESSION':
      if (state.enteredAt === null) {
        state.enteredAt = e.occurredAt;
        delta.impressions = 1;
      }
      break;
    case 'VIEW_SEGMENT': {
      const { fraction, ms } = viewabilityThreshold(state.media, state.creativeSize);
      const duration = e.durationMs ?? 0;
      if ((e.visibleFraction ?? 0) >= fraction) {
        if (!state.viewable && duration >= ms) {
          state.viewable = true;
          delta.viewable = 1;
        }
        const add = Math.min(duration, MAX_TIME_IN_VIEW_MS - state.timeInViewMs);
        if (add > 0) {
          state.timeInViewMs += add;
          delta.timeInViewMs = add;
        }
      }
      break;
    }
    case 'ACTIVITY':
      if (state.visible && !state.exited) {
        const end = e.occurredAt + ENGAGED_CREDIT_MS;
        const credit = end - Math.max(e.occurredAt, state.creditedUntil);
        if (credit > 0) {
          state.engagedMs += credit;
          delta.engagedMs = credit;
          state.creditedUntil = end;
        }
      }
      break;
    case 'ENGAGED_INTERVAL':
      // Engaged time measured by the client itself.
      state.engagedMs += e.durationMs ?? 0;
      delta.engagedMs = e.durationMs ?? 0;
      break;
    case 'VISIBILITY_CHANGE':
      if (e.visible === false) truncateCredit(state, e.occurredAt, delta);
      state.visible = e.visible !== false;
      break;
    case 'SCROLL_DEPTH': {
      const percent = (e.scrollDepth ?? 0) * 100;
      for (const m of SCROLL_MILESTONES) {
        if (m > state.scrollMilestone && percent >= m) delta.scrollMilestones.push(m);
      }
      if (delta.scrollMilestones.length) state.scrollMilestone = delta.scrollMilestones.at(-1)!;
      break;
    }
    case 'CLICK':
      delta.clicks = 1;
      break;
    case 'PAGE_EXIT':
      truncateCredit(state, e.occurredAt, delta);
      if (!state.exited && state.enteredAt !== null) {
        delta.dwellMs = Math.max(0, e.occurredAt - state.enteredAt);
        delta.dwells = 1;
      }
      state.exited = true;
      break;
  }
  return delta;
}

/** Sums the deltas of a view's events applied in order: the view's totals, for tests and reports. */
export function measureView(
  events: readonly ViewEvent[],
  state = newViewState(),
): ViewDelta & { state: ViewState } {
  const total = emptyDelta();
  for (const e of [...events].sort((a, b) => a.occurredAt - b.occurredAt)) {
    const d = applyViewEvent(state, e);
    total.impressions += d.impressions;
    total.viewable += d.viewable;
    total.timeInViewMs += d.timeInViewMs;
    total.engagedMs += d.engagedMs;
    total.clicks += d.clicks;
    total.scrollMilestones.push(...d.scrollMilestones);
    total.dwellMs += d.dwellMs;
    total.dwells += d.dwells;
  }
  return { ...total, state };
}

/** Attention per view as the API reports it. */
export function attentionStats(t: {
  impressions: number;
  viewable: number;
  timeInViewMs: number;
  engagedMs: number;
  clicks: number;
}) {
  const n = t.impressions;
  const viewabilityRate = n > 0 ? t.viewable / n : 0;
  const avgEngagedSeconds = n > 0 ? t.engagedMs / n / 1000 : 0;
  return {
    impressions: n,
    viewableImpressions: t.viewable,
    viewabilityRate,
    averageTimeInViewSeconds: n > 0 ? t.timeInViewMs / n / 1000 : 0,
    averageEngagedSeconds: avgEngagedSeconds,
    clicks: t.clicks,
    clickThroughRate: n > 0 ? t.clicks / n : 0,
    // 0-100: half viewability, half engagement, engagement saturating at 15 s per impression.
    attentionScore: 100 * (0.5 * Math.min(1, viewabilityRate) + 0.5 * Math.min(1, avgEngagedSeconds / 15)),
    // Seconds in view per 1,000 impressions.
    attentionPerMille: n > 0 ? (t.timeInViewMs / 1000 / n) * 1000 : 0,
  };
}
