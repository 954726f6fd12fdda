import type { ApiKeyDoc } from '../models/ApiKey.js';

/** What the API shows of a stored key: everything but its hash. */
export interface ApiKeyView {
  id: string;
  partnerId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: number;
  revokedAt: number | null;
}

export function apiKeyView(doc: ApiKeyDoc): ApiKeyView {
  return {
    id: doc._id,
    partnerId: doc.partnerId,
    name: doc.name,
    prefix: doc.prefix,
    scopes: doc.scopes,
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
  };
}
