import { type Caller, hasScope, Scope } from './caller.js';

/**
 * The `@policy` names of the schemas and what the caller must be for each. They are decided from the
 * caller alone (so the gateway can apply them before planning); whether the data is the caller's (their
 * own user, their advertiser's campaign, their placement) is checked again by the subgraph that owns it.
 */
export const POLICIES = {
  /** A signed-in person; the data must be their own. */
  self: (c: Caller) => c.userId !== undefined,
  /** A member of an advertiser (`ads:write` + `advertiser_id`); the data must be that advertiser's. */
  advertiser: (c: Caller) => c.advertiserId !== undefined && hasScope(c, Scope.ADS_WRITE),
  /** A publisher key with `ads:request`; the placement must be the publisher's. */
  'publisher:ads': (c: Caller) => c.partnerId !== undefined && hasScope(c, Scope.ADS_REQUEST),
  /** A publisher key with `events:write`; events only for anonymous ids and the person signed in through it. */
  'publisher:events': (c: Caller) => c.partnerId !== undefined && hasScope(c, Scope.EVENTS_WRITE),
  /** `analytics:read`. */
  analyst: (c: Caller) => hasScope(c, Scope.ANALYTICS_READ),
  /** `admin`. */
  admin: (c: Caller) => hasScope(c, Scope.ADMIN),
} as const satisfies Record<string, (c: Caller) => boolean>;

export type PolicyName = keyof typeof POLICIES;

export const isPolicyName = (name: string): name is PolicyName => Object.hasOwn(POLICIES, name);
