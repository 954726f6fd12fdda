import { type Connection, Schema } from 'mongoose';

export interface ConsentDoc {
  personalization: boolean;
  adsPersonalization: boolean;
  analytics: boolean;
  updatedAt: number;
}

export interface UserDoc {
  _id: string;
  displayName: string;
  email?: string | null;
  country?: string | null;
  locale: string;
  timezone: string;
  segments: string[];
  consent: ConsentDoc;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

const consentSchema = new Schema<ConsentDoc>(
  {
    personalization: { type: Boolean, required: true },
    adsPersonalization: { type: Boolean, required: true },
    analytics: { type: Boolean, required: true },
    updatedAt: { type: Number, required: true },
  },
  { _id: false },
);

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    displayName: { type: String, required: true },
    email: { type: String, default: null },
    country: { type: String, default: null },
    locale: { type: String, required: true },
    timezone: { type: String, required: true },
    segments: { type: [String], default: [] },
    consent: { type: consentSchema, required: true },
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false },
);

export function userModel(conn: Connection) {
  return conn.model<UserDoc>('User', userSchema, 'users');
}
