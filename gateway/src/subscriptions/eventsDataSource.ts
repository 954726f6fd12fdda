import { readFileSync } from 'node:fs';
import { LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { type Caller, type ConsumerLag, ErrorCode, isAdmin, meshError } from '@attention-mesh/platform';
import { EVENTS_SCHEMA_FILE } from '@attention-mesh/schema';
import { parse } from 'graphql';
import { SUBSCRIPTION_FIELDS } from './subscriptionFields.js';

/** What a subscription's plan carries in its context: the event's root value, answered in-process. */
export interface EventContext {
  subscriptionEvent?: { payload: Record<string, unknown> };
  /** The client request's caller (queries such as `eventConsumers`). */
  caller?: Caller;
}

export interface EventsSourceOptions {
  /** The bus's durable consumers and their lag; absent when the gateway reads no bus. */
  lag?: () => Promise<ConsumerLag[]>;
}

/**
 * The in-process `events` subgraph (its URL in the supergraph is never called): each Subscription
 * field resolves to the current event's payload (entity stubs and the event's own fields), put in
 * the plan's context by the subscription that runs it. Outside a subscription's plan there is no
 * payload and the field fails. `Query.eventConsumers` reads the bus's consumer lag, for admins (the
 * gateway's access control checks the scope first; this checks it again).
 */
export function eventsDataSource(opts: EventsSourceOptions = {}): LocalGraphQLDataSource {
  const resolve = (_root: unknown, _args: unknown, ctx: EventContext) => {
    const payload = ctx?.subscriptionEvent?.payload;
    if (!payload) throw new Error('the events subgraph answers subscription plans only');
    return payload;
  };
  const Subscription = Object.fromEntries(Object.keys(SUBSCRIPTION_FIELDS).map((f) => [f, { resolve }]));
  const eventConsumers = async (_root: unknown, _args: unknown, ctx: EventContext) => {
    if (!ctx?.caller || !isAdmin(ctx.caller))
      throw meshError(ErrorCode.FORBIDDEN, 'eventConsumers is for admins', { field: 'eventConsumers' });
    if (!opts.lag) throw meshError(ErrorCode.DOWNSTREAM_SERVICE_ERROR, 'this gateway reads no event bus');
    return (await opts.lag()).map((l) => ({
      consumer: l.consumer,
      partition: l.partition ? `${l.partition.index}/${l.partition.count}` : null,
      pending: l.pending,
      oldestPendingAt: l.oldestPendingAt === undefined ? null : new Date(l.oldestPendingAt).toISOString(),
      deadLetters: l.deadLetters,
    }));
  };
  const resolvers = {
    Query: { eventConsumers },
    Subscription,
    FeedbackTarget: { __resolveType: (v: { __typename?: string }) => v.__typename ?? null },
  } as unknown as GraphQLResolverMap<unknown>;
  const typeDefs = parse(readFileSync(EVENTS_SCHEMA_FILE, 'utf8'));
  return new LocalGraphQLDataSource(buildSubgraphSchema({ typeDefs, resolvers }));
}
