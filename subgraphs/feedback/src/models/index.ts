import { type Connection, Schema } from 'mongoose';
import {
  type FeedbackKind,
  type FeedbackTargetType,
  SUMMARY_COUNTERS,
  type SummaryCounter,
} from '../rules/feedbackRules.js';

export interface FeedbackDoc {
  _id: string;
  clientId: string;
  userId: string;
  targetType: FeedbackTargetType;
  targetId: string;
  kind: FeedbackKind;
  rating: number | null;
  dwellMs: number | null;
  reason: string | null;
  comment: string | null;
  /** Epoch ms. */
  occurredAt: number;
  receivedAt: number;
}

/**
 * One entry of a user's list of signals: `_id` `${key}#${seq}`, where the key is the user id (every
 * kind) or `${userId}|${kind}` (one kind) and `seq` counts that key's signals from 1 in the order
 * received. `User.feedback` reads the newest `seq`s by exact `_id`, then the signals by `_id`; an append
 * is one multi-row insert. See UserFeedbackIndex.
 */
export interface FeedbackUserIndexDoc {
  _id: string;
  feedbackId: string;
  receivedAt: number;
}

/** Impressions already counted: `_id` `imp:${decisionId}`. */
export interface FeedbackSeenDoc {
  _id: string;
}

/**
 * The flag state of an ad (`_id` the ad id): `flagged` from a crossing of the complaint threshold until
 * its rate falls back; `published` once its `ad.flagged` is on the bus (a flag not yet published is sent
 * at the next check).
 */
export interface AdFlagDoc {
  _id: string;
  flagged: boolean;
  flaggedAt: number | null;
  complaints: number;
  impressions: number;
  published: boolean;
  updatedAt: number;
}

/** Totals per target (`${type}:${id}`), kept with `$inc` as feedback arrives. */
export interface FeedbackSummaryDoc extends Record<SummaryCounter, number> {
  _id: string;
}

const feedbackSchema = new Schema<FeedbackDoc>(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    userId: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
    kind: { type: String, required: true },
    rating: { type: Number, default: null },
    dwellMs: { type: Number, default: null },
    reason: { type: String, default: null },
    comment: { type: String, default: null },
    occurredAt: { type: Number, required: true },
    receivedAt: { type: Number, required: true },
  },
  { versionKey: false },
);
// No secondary index: `_id` is derived from (userId, clientId) (see feedbackIdOf), so the duplicate key
// of `_id` is the dedup, and every read is by `_id` (the one index the embedded database has).

const counters = Object.fromEntries(SUMMARY_COUNTERS.map((k) => [k, { type: Number, default: 0 }]));
const summarySchema = new Schema<FeedbackSummaryDoc>(
  { _id: { type: String, required: true }, ...counters },
  { versionKey: false },
);

const userIndexSchema = new Schema<FeedbackUserIndexDoc>(
  { _id: { type: String, required: true }, feedbackId: { type: String, required: true }, receivedAt: Number },
  { versionKey: false },
);
const seenSchema = new Schema<FeedbackSeenDoc>(
  { _id: { type: String, required: true } },
  { versionKey: false },
);
const adFlagSchema = new Schema<AdFlagDoc>(
  {
    _id: { type: String, required: true },
    flagged: Boolean,
    flaggedAt: { type: Number, default: null },
    complaints: Number,
    impressions: Number,
    published: Boolean,
    updatedAt: Number,
  },
  { versionKey: false },
);

export function feedbackModels(conn: Connection) {
  return {
    FeedbackUserIndex: conn.model<FeedbackUserIndexDoc>(
      'FeedbackUserIndex',
      userIndexSchema,
      'feedback_user_index',
    ),
    FeedbackSeen: conn.model<FeedbackSeenDoc>('FeedbackSeen', seenSchema, 'feedback_seen'),
    AdFlag: conn.model<AdFlagDoc>('AdFlag', adFlagSchema, 'feedback_ad_flags'),
    Feedback: conn.model<FeedbackDoc>('Feedback', feedbackSchema, 'feedback'),
    FeedbackSummary: conn.model<FeedbackSummaryDoc>('FeedbackSummary', summarySchema, 'feedback_summaries'),
  };
}
