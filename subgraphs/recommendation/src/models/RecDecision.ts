import { type Connection, Schema } from 'mongoose';

/**
 * A served recommendation page logged for off-policy evaluation (`rec_decisions`, written in batches by
 * `_id`, kept `REC_DECISION_RETENTION_DAYS`): per position the item shown, the ranking's own item there,
 * whether exploration swapped it and the per-position propensity under the logging policy.
 */
export interface RecDecisionSlot {
  position: number;
  itemId: string;
  greedyItemId: string;
  explored: boolean;
  propensity: number;
  pool: number;
  score: number;
}

export interface RecDecisionDoc {
  _id: string;
  at: number;
  userId: string;
  category: string | null;
  source: string;
  modelVersion: string | null;
  epsilon: number;
  slots: RecDecisionSlot[];
  /** The ranking's items in model-score order at the page's positions. */
  byScore: { itemId: string; score: number }[];
}

/** A reward (`fb:<feedbackId>`): a click, like or dwell on an item, joined to the decision that showed it. */
export interface RecRewardDoc {
  _id: string;
  userId: string;
  itemId: string;
  kind: string;
  at: number;
  /** The latest decision for the user that showed the item within the window; null when not found here. */
  decisionId: string | null;
  position: number | null;
}

const str = { type: String, required: true };
const num = { type: Number, required: true };
const decisionSchema = new Schema<RecDecisionDoc>(
  {
    _id: str,
    at: num,
    userId: str,
    category: { type: String, default: null },
    source: str,
    modelVersion: { type: String, default: null },
    epsilon: num,
    slots: [
      {
        _id: false,
        position: num,
        itemId: str,
        greedyItemId: str,
        explored: { type: Boolean, required: true },
        propensity: num,
        pool: num,
        score: num,
      },
    ],
    byScore: [{ _id: false, itemId: str, score: num }],
  },
  { versionKey: false },
);

const rewardSchema = new Schema<RecRewardDoc>(
  {
    _id: str,
    userId: str,
    itemId: str,
    kind: str,
    at: num,
    decisionId: { type: String, default: null },
    position: { type: Number, default: null },
  },
  { versionKey: false },
);

export function recDecisionModels(conn: Connection) {
  return {
    RecDecision: conn.model<RecDecisionDoc>('RecDecision', decisionSchema, 'rec_decisions'),
    RecReward: conn.model<RecRewardDoc>('RecReward', rewardSchema, 'rec_rewards'),
  };
}
export type RecDecisionModels = ReturnType<typeof recDecisionModels>;
