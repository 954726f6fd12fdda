import { type Connection, Schema } from 'mongoose';

/** A user's personalisation consent, from `user.consent.changed` (the newest `updatedAt` wins). */
export interface RecConsentDoc {
  _id: string;
  personalization: boolean;
  updatedAt: number;
}

const schema = new Schema<RecConsentDoc>(
  {
    _id: { type: String, required: true },
    personalization: { type: Boolean, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false },
);

export function recConsentModel(conn: Connection) {
  return conn.model<RecConsentDoc>('RecConsent', schema, 'consents');
}
