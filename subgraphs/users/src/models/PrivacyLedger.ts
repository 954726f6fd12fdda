import { type Connection, Schema } from 'mongoose';

/** ε a partner spent on one UTC day; `_id` is `${partnerId}|${day}`. */
export interface PrivacyLedgerDoc {
  _id: string;
  partnerId: string;
  /** The day's start, epoch ms (UTC). */
  day: number;
  spent: number;
  updatedAt: number;
}

/** One request's charge, so a retried request id is not charged again; `_id` is `${partnerId}|${requestId}`. */
export interface PrivacyChargeDoc {
  _id: string;
  partnerId: string;
  day: number;
  /** ε charged in all (fields × ε per field). */
  epsilon: number;
  epsilonPerField: number;
  fields: number;
  /** SHA-256 of the operation charged (document and variables), hex. */
  operation: string;
  at: number;
}

const ledgerSchema = new Schema<PrivacyLedgerDoc>(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    day: { type: Number, required: true },
    spent: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false },
);

const chargeSchema = new Schema<PrivacyChargeDoc>(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    day: { type: Number, required: true },
    epsilon: { type: Number, required: true },
    epsilonPerField: { type: Number, required: true },
    fields: { type: Number, required: true },
    operation: { type: String, required: true },
    at: { type: Number, required: true },
  },
  { versionKey: false },
);

export function privacyLedgerModel(conn: Connection) {
  return conn.model<PrivacyLedgerDoc>('PrivacyLedger', ledgerSchema, 'privacy_ledger');
}

export function privacyChargeModel(conn: Connection) {
  return conn.model<PrivacyChargeDoc>('PrivacyCharge', chargeSchema, 'privacy_charges');
}
