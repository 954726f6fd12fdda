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
feedbackSchema.index({ clientId: 1 }, { unique: true });
feedbackSchema.index({ userId: 1, _id: -1 });
feedbackSchema.index({ targetType: 1, targetId: 1 });

const counters = Object.fromEntries(SUMMARY_COUNTERS.map((k) => [k, { type: Number, default: 0 }]));
const summarySchema = new Schema<FeedbackSummaryDoc>(
  { _id: { type: String, required: true }, ...counters },
  { versionKey: false },
);

export function feedbackModels(conn: Connection) {
  return {
    Feedback: conn.model<FeedbackDoc>('Feedback', feedbackSchema, 'feedback'),
    FeedbackSummary: conn.model<FeedbackSummaryDoc>('FeedbackSummary', summarySchema, 'feedback_summaries'),
  };
}
