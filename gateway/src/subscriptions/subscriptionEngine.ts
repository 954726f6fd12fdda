import type { GraphQLDataSource } from '@apollo/gateway';
import {
  type Caller,
  type CatalogEvent,
  formatError,
  type Logger,
  meshError,
  signInternalContext,
} from '@attention-mesh/platform';
import {
  type ExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  parse,
  print,
  validate,
} from 'graphql';
import { answerWithDenials } from '../access/answerWithDenials.js';
import type { DemandLimits } from '../plugins/useDemandControl.js';
import { buildGraphState, type GraphPlan, type GraphState, planOperation, runPlan } from './graphPlans.js';
import { LiveSubscription } from './liveSubscription.js';
import {
  type PreparedSubscription,
  prepareSubscription,
  SubscribeRefusal,
  type SubscribeRequest,
} from './prepareSubscription.js';
import type { SubscriptionHub } from './subscriptionHub.js';
import type { SubscriptionsConfig } from './subscriptionsConfig.js';

export interface EngineOptions {
  config: SubscriptionsConfig;
  demand: DemandLimits;
  internalSecret: string;
  contextTtlMs: number;
  /** The gateway's data sources by subgraph name (the events subgraph's in-process one included). */
  serviceMap(): Record<string, GraphQLDataSource>;
  hub: SubscriptionHub;
  logger: Logger;
}

/** The error code of a refusal for too many open subscriptions. */
export const SUBSCRIPTION_LIMIT = 'SUBSCRIPTION_LIMIT';

const OWNER_QUERIES = {
  campaign: 'query SubscriptionOwner($id: ID!) { campaign(id: $id) { advertiser { id } } }',
  ad: 'query SubscriptionOwner($id: ID!) { ad(id: $id) { campaign { advertiser { id } } } }',
} as const;

const MAX_PLANS = 1_000;
const SHARED_MS = 2_000;

/** A prepared subscription with whom it is for and its plan's cache key. */
interface Subscriber extends PreparedSubscription {
  caller: Caller;
  planKey: string;
  /** Plan, variables and caller: subscribers with the same one get the same payload for an event. */
  shareKey: string;
}

const callerKey = (c: Caller) => `${c.userId ?? ''}|${c.advertiserId ?? ''}|${c.apiKeyId ?? ''}`;

/** A subgraph's or the planner's errors as clients see them (internal ones hidden, as for queries). */
function publicErrors(errors: readonly GraphQLError[], logger: Logger): GraphQLError[] {
  return errors.map((e) => {
    const f: GraphQLFormattedError = formatError(
      e.toJSON ? e.toJSON() : (e as GraphQLFormattedError),
      (internal) => logger.error({ error: internal }, 'internal error hidden from a subscriber'),
    );
    return new GraphQLError(f.message, {
      ...(f.path ? { path: f.path } : {}),
      ...(f.extensions ? { extensions: f.extensions } : {}),
    });
  });
}

/**
 * The gateway's subscriptions, transport aside: what the current supergraph says (plans cached per
 * document, planned again when the supergraph changes), the checks at subscribe time, the per-caller
 * limit, and each event resolved into a client's payload through Apollo's query plan with the
 * subscriber's signed context.
 */
export class SubscriptionEngine {
  private state: GraphState | undefined;
  private plans = new Map<string, GraphPlan>();
  private readonly owners = new Map<string, { owner: string; until: number }>();
  private readonly perCaller = new Map<string, number>();
  /**
   * Payloads being resolved (or just resolved) per event, document, variables and caller: subscribers
   * that would make the very same subgraph calls for one event (a person's several devices) share one
   * resolution. Kept `SHARED_MS` after it settles.
   */
  private readonly shared = new Map<string, Promise<ExecutionResult>>();

  constructor(private readonly opts: EngineOptions) {}

  /** The gateway loaded or updated its supergraph (`onSchemaLoadOrUpdate`). */
  update(apiSchema: Parameters<typeof buildGraphState>[0], coreSupergraphSdl: string): void {
    try {
      this.state = buildGraphState(apiSchema, coreSupergraphSdl);
      this.plans = new Map();
    } catch (err) {
      this.opts.logger.error(
        { err },
        'subscriptions: the supergraph cannot be planned; keeping the previous one',
      );
    }
  }

  /** The API schema subscriptions are validated against (after the first load). */
  schema(): GraphState['apiSchema'] {
    if (!this.state) throw new Error('the schema is not loaded yet');
    return this.state.apiSchema;
  }

  /** Checks a subscription and opens it; throws a `SubscribeRefusal`. */
  async subscribe(
    caller: Caller,
    request: SubscribeRequest,
    onOverflow: (sub: LiveSubscription, reason: string) => void,
  ): Promise<LiveSubscription> {
    const state = this.state;
    if (!state)
      throw new SubscribeRefusal([meshError('INTERNAL_SERVER_ERROR', 'the schema is not loaded yet')], 503);
    const prepared = await prepareSubscription(state, caller, request, {
      demand: this.opts.demand,
      maxArgumentLength: this.opts.config.maxArgumentLength,
      ownerOf: (kind, id, c) => this.ownerOf(kind, id, c),
    });
    const key = callerKey(caller);
    const open = this.perCaller.get(key) ?? 0;
    if (open >= this.opts.config.maxPerCaller)
      throw new SubscribeRefusal(
        [
          new GraphQLError(`at most ${this.opts.config.maxPerCaller} open subscriptions per caller`, {
            extensions: { code: SUBSCRIPTION_LIMIT, limit: this.opts.config.maxPerCaller },
          }),
        ],
        429,
      );
    await this.opts.hub.start();
    this.perCaller.set(key, open + 1);
    const planKey = `${print(prepared.planned)}\u0000${prepared.operationName ?? ''}`;
    const subscriber: Subscriber = {
      ...prepared,
      caller,
      planKey,
      shareKey: `${planKey}\u0000${JSON.stringify(prepared.variables)}\u0000${JSON.stringify(caller)}`,
    };
    const live = new LiveSubscription({
      prepared: subscriber,
      queueSize: this.opts.config.queueSize,
      resolve: (p, event) => this.resolve(p as Subscriber, event),
      onOverflow,
      onEnd: (sub) => {
        this.opts.hub.remove(sub);
        const n = (this.perCaller.get(key) ?? 1) - 1;
        if (n > 0) this.perCaller.set(key, n);
        else this.perCaller.delete(key);
      },
    });
    this.opts.hub.add(live);
    return live;
  }

  private planFor(state: GraphState, sub: Subscriber): GraphPlan {
    const plan = planOperation(state, sub.planned, sub.operationName);
    if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    this.plans.set(sub.planKey, plan);
    return plan;
  }

  private context(caller: Caller, extra: object = {}) {
    return {
      requestId: '',
      caller,
      internalContext: signInternalContext(caller, this.opts.internalSecret, {
        ttlMs: this.opts.contextTtlMs,
      }),
      ...extra,
    };
  }

  /** One event into one subscriber's payload (shared with identical subscribers of the event). */
  resolve(prepared: Subscriber, event: CatalogEvent): Promise<ExecutionResult> {
    const key = `${event.id}\u0000${prepared.shareKey}`;
    let result = this.shared.get(key);
    if (!result) {
      result = this.resolveOnce(prepared, event);
      this.shared.set(key, result);
      void result.finally(() => setTimeout(() => this.shared.delete(key), SHARED_MS).unref());
    }
    return result;
  }

  private async resolveOnce(prepared: Subscriber, event: CatalogEvent): Promise<ExecutionResult> {
    const state = this.state;
    if (!state) return { errors: [meshError('INTERNAL_SERVER_ERROR', 'the schema is not loaded')] };
    try {
      let plan = this.plans.get(prepared.planKey);
      if (!plan || plan.generation !== state.generation) {
        // A new supergraph: the document must still be valid against it.
        const errors = validate(state.apiSchema, prepared.document);
        if (errors.length)
          return {
            errors: errors.map(
              (e) => new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
            ),
          };
        plan = this.planFor(state, prepared);
      }
      const context = this.context(prepared.caller, {
        subscriptionEvent: { payload: prepared.field.payloadOf(event) },
      });
      let result = await runPlan(
        state,
        plan,
        this.opts.serviceMap(),
        context,
        prepared.variables,
        this.opts.logger,
      );
      if (prepared.denied.size)
        result = await answerWithDenials({
          schema: state.answerSchema,
          document: prepared.document,
          operationName: prepared.operationName ?? null,
          variables: prepared.variables,
          inner: result,
          denied: prepared.denied,
        });
      return result.errors ? { ...result, errors: publicErrors(result.errors, this.opts.logger) } : result;
    } catch (err) {
      this.opts.logger.error(
        { err, field: prepared.field.name },
        'subscriptions: an event could not be resolved',
      );
      return { errors: [meshError('INTERNAL_SERVER_ERROR', 'Internal server error')] };
    }
  }

  /** Who owns a campaign or an ad, asked of the graph as the subscriber; positive answers cached. */
  private async ownerOf(kind: 'campaign' | 'ad', id: string, caller: Caller): Promise<string | null> {
    const key = `${kind}:${id}`;
    const now = Date.now();
    const cached = this.owners.get(key);
    if (cached && cached.until > now) return cached.owner;
    const state = this.state;
    if (!state) return null;
    const cacheKey = `owner:${kind}`;
    let plan = this.plans.get(cacheKey);
    if (!plan || plan.generation !== state.generation) {
      plan = planOperation(state, parse(OWNER_QUERIES[kind]), 'SubscriptionOwner');
      this.plans.set(cacheKey, plan);
    }
    const result = await runPlan(
      state,
      plan,
      this.opts.serviceMap(),
      this.context(caller),
      { id },
      this.opts.logger,
    );
    const data = result.data as
      | {
          campaign?: { advertiser?: { id?: string } | null } | null;
          ad?: { campaign?: { advertiser?: { id?: string } | null } | null } | null;
        }
      | null
      | undefined;
    const owner =
      (kind === 'campaign' ? data?.campaign?.advertiser?.id : data?.ad?.campaign?.advertiser?.id) ?? null;
    if (owner) {
      if (this.owners.size >= 10_000) this.owners.delete(this.owners.keys().next().value as string);
      this.owners.set(key, { owner, until: now + this.opts.config.ownerCacheMs });
    }
    return owner;
  }
}
