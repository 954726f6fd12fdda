import { type Connection, Schema } from 'mongoose';
import type { FeedbackSignalsDoc } from '../feedback/feedbackSignals.js';
import type { AttentionEventType, TargetType } from '../ingest/eventRules.js';
import type { ViewState } from '../metrics/attentionMetrics.js';
import { MEASURES, type Measures } from '../metrics/measures.js';
import { DP_FIELDS, type DpDayState } from '../privacy/dpMeasures.js';
import { dpDaySchema } from './dpDay.js';

/** Times are epoch ms. */

export interface AttentionEventDoc {
  _id: string;
  clientId: string;
  impressionId: string;
  userId: string | null;
  anonymousId: string | null;
  sessionId: string;
  targetType: TargetType;
  targetId: string;
  placementId: string | null;
  category: string | null;
  type: AttentionEventType;
  occurredAt: number;
  receivedAt: number;
  media: 'DISPLAY' | 'VIDEO';
  visibleFraction: number | null;
  durationMs: number | null;
  scrollDepth: number | null;
  visible: boolean | null;
  device: string | null;
  country: string | null;
  viewport: { width: number; height: number } | null;
  creativeSize: { width: number; height: number } | null;
}

/** The measured state of one view (impression), carried from batch to batch. */
export interface AttentionViewDoc {
  _id: string;
  userId: string | null;
  targetType: TargetType;
  targetId: string;
  state: ViewState;
  updatedAt: number;
}

/** Hourly sums of one dimension value: `${dim}|${value}|${hour}`, e.g. `CATEGORY|sports|1764320400000`. */
export interface AttentionRollupDoc extends Partial<Measures> {
  _id: string;
  dim: string;
  value: string;
  hour: number;
}

/** All-time sums per item, ad, placement and user: `${dim}|${value}`. */
export interface AttentionTotalDoc extends Partial<Measures> {
  _id: string;
  lastEventAt?: number;
}

/**
 * A user's attention profile, every field kept with `$inc`: decayed engaged time per category (see
 * profileMath.ts), engaged time per UTC hour of the week (0 = Monday 00:00), a histogram of engaged time
 * per item, sessions seen.
 */
export interface AttentionProfileDoc {
  _id: string;
  categories?: Record<string, number>;
  weekHours?: Record<string, number>;
  span?: Record<string, number>;
  sessions?: number;
  /** Events per hour (key: the hour's start, epoch ms); entries older than the history window are ignored. */
  hours?: Record<string, number>;
}

/** Whether a known user allows analytics, as last announced by the users subgraph. */
export interface ConsentDoc {
  _id: string;
  analytics: boolean;
  updatedAt: number;
}

const size = { type: { width: Number, height: Number, _id: false }, default: null };
const str = { type: String, required: true };
const optStr = { type: String, default: null };
const optNum = { type: Number, default: null };

const eventSchema = new Schema<AttentionEventDoc>(
  {
    _id: str,
    clientId: str,
    impressionId: str,
    userId: optStr,
    anonymousId: optStr,
    sessionId: str,
    targetType: str,
    targetId: str,
    placementId: optStr,
    category: optStr,
    type: str,
    occurredAt: { type: Number, required: true },
    receivedAt: { type: Number, required: true },
    media: str,
    visibleFraction: optNum,
    durationMs: optNum,
    scrollDepth: optNum,
    visible: { type: Boolean, default: null },
    device: optStr,
    country: optStr,
    viewport: size,
    creativeSize: size,
  },
  { versionKey: false },
);
// Idempotency: a client id is stored once.
eventSchema.index({ clientId: 1 }, { unique: true });
eventSchema.index({ userId: 1, occurredAt: -1 });

const viewSchema = new Schema<AttentionViewDoc>(
  {
    _id: str,
    userId: optStr,
    targetType: str,
    targetId: str,
    state: { type: Object, required: true },
    updatedAt: Number,
  },
  { versionKey: false, minimize: false },
);

const measureFields = Object.fromEntries(MEASURES.map((m) => [m, { type: Number, default: 0 }]));
const rollupSchema = new Schema<AttentionRollupDoc>(
  {
    _id: str,
    dim: str,
    value: str,
    hour: { type: Number, required: true },
    ...measureFields,
    // The clipped sums and contributing users released to partners (see privacy/dpMeasures.ts).
    ...Object.fromEntries(DP_FIELDS.map((f) => [f, { type: Number, default: 0 }])),
  },
  { versionKey: false },
);
rollupSchema.index({ dim: 1, hour: 1, value: 1 });
const totalSchema = new Schema<AttentionTotalDoc>(
  { _id: str, ...measureFields, lastEventAt: Number },
  { versionKey: false },
);
const profileSchema = new Schema<AttentionProfileDoc>(
  { _id: str, categories: Object, weekHours: Object, span: Object, sessions: Number, hours: Object },
  { versionKey: false, minimize: false },
);
/** A signed-in session seen (`<userId>|<sessionId>`), when it was stored: the retention sweep goes by `at`. */
export interface AttentionSessionDoc {
  _id: string;
  at?: number;
}
const sessionSchema = new Schema<AttentionSessionDoc>({ _id: str, at: Number }, { versionKey: false });
/** How the last process left the derived data: a projection not drained at stop is rebuilt at start. */
export interface ProjectionStateDoc {
  _id: 'projection';
  drained: boolean;
  updatedAt: number;
}
/**
 * How far the retention sweep has gone: events before `sweptBefore` (an hour's start) are gone or going,
 * so a rebuild keeps the rollups of those hours and reads no events before it.
 */
export interface RetentionStateDoc {
  _id: 'retention';
  sweptBefore: number;
  updatedAt: number;
}
const retentionStateSchema = new Schema<RetentionStateDoc>(
  { _id: str, sweptBefore: Number, updatedAt: Number },
  { versionKey: false },
);
const projectionStateSchema = new Schema<ProjectionStateDoc>(
  { _id: str, drained: Boolean, updatedAt: Number },
  { versionKey: false },
);
const consentSchema = new Schema<ConsentDoc>(
  { _id: str, analytics: Boolean, updatedAt: Number },
  { versionKey: false },
);

const feedbackSchema = new Schema<FeedbackSignalsDoc>(
  {
    _id: str,
    clicks: { type: Number, default: 0 },
    dwells: { type: Number, default: 0 },
    dwellMs: { type: Number, default: 0 },
    lastAt: { type: Number, default: 0 },
    applied: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  { versionKey: false },
);

export function attentionModels(conn: Connection) {
  return {
    AttentionEvent: conn.model<AttentionEventDoc>('AttentionEvent', eventSchema, 'attention_events'),
    AttentionView: conn.model<AttentionViewDoc>('AttentionView', viewSchema, 'attention_views'),
    AttentionRollup: conn.model<AttentionRollupDoc>('AttentionRollup', rollupSchema, 'attention_rollups'),
    AttentionTotal: conn.model<AttentionTotalDoc>('AttentionTotal', totalSchema, 'attention_totals'),
    AttentionProfile: conn.model<AttentionProfileDoc>(
      'AttentionProfile',
      profileSchema,
      'attention_profiles',
    ),
    AttentionSession: conn.model<AttentionSessionDoc>(
      'AttentionSession',
      sessionSchema,
      'attention_sessions',
    ),
    RetentionState: conn.model<RetentionStateDoc>(
      'RetentionState',
      retentionStateSchema,
      'attention_retention',
    ),
    Consent: conn.model<ConsentDoc>('Consent', consentSchema, 'consents'),
    /** Each user's click and dwell feedback (from `feedback.received`), by user id. */
    AttentionFeedback: conn.model<FeedbackSignalsDoc>(
      'AttentionFeedback',
      feedbackSchema,
      'attention_feedback',
    ),
    /** What each user-day has contributed to the clipped sums (the privacy unit's consumption). */
    DpDay: conn.model<DpDayState>('DpDay', dpDaySchema, 'attention_dp_days'),
    ProjectionState: conn.model<ProjectionStateDoc>(
      'ProjectionState',
      projectionStateSchema,
      'attention_state',
    ),
  };
}
