import { type Connection, Schema } from 'mongoose';

/** A partner's API key. The key itself is never stored: only its prefix and its SHA-256. */
export interface ApiKeyDoc {
  _id: string;
  partnerId: string;
  name: string;
  /** 10 lower-case hex digits, the key's public part: how the key is found. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  scopes: string[];
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; null while the key is valid. */
  revokedAt: number | null;
}

const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    hash: { type: String, required: true },
    scopes: { type: [String], required: true },
    createdAt: { type: Number, required: true },
    revokedAt: { type: Number, default: null },
  },
  { versionKey: false },
);
apiKeySchema.index({ prefix: 1 }, { unique: true });
apiKeySchema.index({ partnerId: 1, _id: 1 });

export function apiKeyModel(conn: Connection) {
  return conn.model<ApiKeyDoc>('ApiKey', apiKeySchema, 'api_keys');
}
