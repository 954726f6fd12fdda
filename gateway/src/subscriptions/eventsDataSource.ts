import { readFileSync } from 'node:fs';
import { LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { EVENTS_SCHEMA_FILE } from '@attention-mesh/schema';
import { parse } from 'graphql';
import { SUBSCRIPTION_FIELDS } from './subscriptionFields.js';

/** What a subscription's plan carries in its context: the event's root value, answered in-process. */
export interface EventContext {
  subscriptionEvent?: { payload: Record<string, unknown> };
}

/**
 * The in-process `events` subgraph (its URL in the supergraph is never called): each Subscription
 * field resolves to the current event's payload (entity stubs and the event's own fields), put in
 * the plan's context by the subscription that runs it. Outside a subscription's plan there is no
 * payload and the field fails.
 */
export function eventsDataSource(): LocalGraphQLDataSource {
  const resolve = (_root: unknown, _args: unknown, ctx: EventContext) => {
    const payload = ctx?.subscriptionEvent?.payload;
    if (!payload) throw new Error('the events subgraph answers subscription plans only');
    return payload;
  };
  const Subscription = Object.fromEntries(Object.keys(SUBSCRIPTION_FIELDS).map((f) => [f, { resolve }]));
  const resolvers = {
    Subscription,
    FeedbackTarget: { __resolveType: (v: { __typename?: string }) => v.__typename ?? null },
  } as unknown as GraphQLResolverMap<unknown>;
  const typeDefs = parse(readFileSync(EVENTS_SCHEMA_FILE, 'utf8'));
  return new LocalGraphQLDataSource(buildSubgraphSchema({ typeDefs, resolvers }));
}
