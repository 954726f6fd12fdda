import type { CatalogEvent, EventType } from '@attention-mesh/platform';

/** The Subscription fields of the events subgraph (`schema/events/schema.graphql`). */
export type SubscriptionFieldName =
  | 'attentionChanged'
  | 'recommendationsUpdated'
  | 'feedbackReceived'
  | 'campaignDelivery';

/** Who, besides analysts and admins, may subscribe to one value of a field's argument. */
export type Ownership = 'self' | 'campaign' | 'ad';

/** How one Subscription field is fed: which events, which of them match an argument value. */
export interface SubscriptionField {
  name: SubscriptionFieldName;
  /** The field's one argument, the filter. */
  argument: 'userId' | 'targetId' | 'campaignId';
  eventTypes: readonly EventType[];
  /** The argument value an event matches (undefined: none). */
  matchOf(event: CatalogEvent): string | undefined;
  /**
   * The root field's value, answered in-process from the event: entity stubs (`__typename` and key)
   * and the event's own small fields; the rest comes from the owning subgraphs.
   */
  payloadOf(event: CatalogEvent): Record<string, unknown>;
  /**
   * Pending events of a subscription with the same coalescing key collapse into the newest (the payload
   * is state fetched again, so the newest event says all the older ones would).
   */
  coalesceKey(event: CatalogEvent): string;
  /** Besides analysts and admins: the person themselves, the campaign's or the ad's advertiser. */
  ownership: Ownership;
}

const iso = (ms: number) => new Date(ms).toISOString();
const userOf = (event: CatalogEvent) =>
  event.userId ?? (event.key.__typename === 'User' ? event.key.id : undefined);
const stub = (typename: string, id: string) => ({ __typename: typename, id });

/** The table of DESIGN §3, point 4: each field, its event types and its argument filter. */
export const SUBSCRIPTION_FIELDS: Readonly<Record<SubscriptionFieldName, SubscriptionField>> = {
  attentionChanged: {
    name: 'attentionChanged',
    argument: 'userId',
    eventTypes: ['attention.recorded'],
    matchOf: userOf,
    payloadOf: (e) => {
      const data = e.type === 'attention.recorded' ? e.data : undefined;
      return {
        user: stub('User', userOf(e) ?? ''),
        events: data?.events ?? 0,
        at: iso(data?.lastEventAt ?? e.occurredAt),
      };
    },
    coalesceKey: (e) => `User:${userOf(e)}`,
    ownership: 'self',
  },
  recommendationsUpdated: {
    name: 'recommendationsUpdated',
    argument: 'userId',
    eventTypes: ['recommendations.updated'],
    matchOf: userOf,
    payloadOf: (e) => {
      const data = e.type === 'recommendations.updated' ? e.data : undefined;
      return {
        user: stub('User', userOf(e) ?? ''),
        reason: data?.reason ?? 'SEQUENCE',
        modelVersion: data?.modelVersion ?? null,
        at: iso(data?.at ?? e.occurredAt),
      };
    },
    coalesceKey: (e) => `User:${userOf(e)}`,
    ownership: 'self',
  },
  feedbackReceived: {
    name: 'feedbackReceived',
    argument: 'targetId',
    eventTypes: ['feedback.received'],
    matchOf: (e) => (e.type === 'feedback.received' ? e.data.targetId : undefined),
    payloadOf: (e) => {
      if (e.type !== 'feedback.received') return {};
      return {
        feedback: stub('Feedback', e.data.feedbackId),
        target: stub(e.data.targetType === 'AD' ? 'Ad' : 'Item', e.data.targetId),
        at: iso(e.data.occurredAt),
      };
    },
    // Every signal is its own entity: nothing collapses (the queue bound still holds).
    coalesceKey: (e) => `Feedback:${e.type === 'feedback.received' ? e.data.feedbackId : e.id}`,
    ownership: 'ad',
  },
  campaignDelivery: {
    name: 'campaignDelivery',
    argument: 'campaignId',
    eventTypes: ['ad.impression', 'ad.click'],
    matchOf: (e) => (e.type === 'ad.impression' || e.type === 'ad.click' ? e.data.campaignId : undefined),
    payloadOf: (e) => {
      if (e.type !== 'ad.impression' && e.type !== 'ad.click') return {};
      return {
        campaign: stub('Campaign', e.data.campaignId),
        ad: stub('Ad', e.data.adId),
        kind: e.type === 'ad.click' ? 'CLICK' : 'IMPRESSION',
        viewable: e.data.viewable,
        at: iso(e.occurredAt),
      };
    },
    // The campaign's state is what is fetched again: one pending event per ad and kind.
    coalesceKey: (e) =>
      `Ad:${e.type === 'ad.impression' || e.type === 'ad.click' ? e.data.adId : e.key.id}:${e.type}`,
    ownership: 'campaign',
  },
};

export const isSubscriptionField = (name: string): name is SubscriptionFieldName =>
  Object.hasOwn(SUBSCRIPTION_FIELDS, name);

/** Every event type some field listens to: the gateway's one bus subscription. */
export const SUBSCRIBED_EVENT_TYPES: readonly EventType[] = [
  ...new Set(Object.values(SUBSCRIPTION_FIELDS).flatMap((f) => f.eventTypes)),
];
