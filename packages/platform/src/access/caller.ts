/** Who is calling, as established by the gateway from a bearer token or an API key. */
export interface Caller {
  /** The signed-in person (the JWT's `sub`). */
  userId?: string;
  /** The advertiser the person acts for (the JWT's `advertiser_id`). */
  advertiserId?: string;
  /** The partner whose API key was used. */
  partnerId?: string;
  /** The API key used (its id, never the key). */
  apiKeyId?: string;
  /**
   * The ε the gateway charged to the partner's daily budget for each differentially private field of
   * this request: the subgraph noises with exactly this, so what is spent and what is used cannot drift.
   */
  dpEpsilon?: number;
  scopes: string[];
}

export const ANONYMOUS: Caller = Object.freeze({ scopes: [] }) as unknown as Caller;

/** The scopes the mesh knows. `mesh:*` scopes are the gateway's own and never come from a client. */
export const Scope = {
  /** Everything, including items, placements, advertisers and API keys. */
  ADMIN: 'admin',
  /** Aggregated analytics: series, breakdowns, any campaign's delivery, exposure, model info. */
  ANALYTICS_READ: 'analytics:read',
  /** With `advertiser_id`: the advertiser's campaigns and ads. */
  ADS_WRITE: 'ads:write',
  /** A publisher key: ad requests for its placements. */
  ADS_REQUEST: 'ads:request',
  /** A publisher key: attention events for anonymous ids and its signed-in users. */
  EVENTS_WRITE: 'events:write',
  /** The gateway resolving an API key; signed by the gateway only. */
  GATEWAY: 'mesh:gateway',
} as const;

/** Scopes a client may hold (the gateway drops any other scope a token or key claims). */
export const CLIENT_SCOPES: readonly string[] = [
  Scope.ADMIN,
  Scope.ANALYTICS_READ,
  Scope.ADS_WRITE,
  Scope.ADS_REQUEST,
  Scope.EVENTS_WRITE,
];

export const hasScope = (caller: Caller, scope: string): boolean => caller.scopes.includes(scope);
export const isAdmin = (caller: Caller): boolean => hasScope(caller, Scope.ADMIN);

/** Whether anyone at all is calling: a person, a partner, or a holder of scopes. */
export const isAuthenticated = (caller: Caller): boolean =>
  caller.userId !== undefined || caller.partnerId !== undefined || caller.scopes.length > 0;
