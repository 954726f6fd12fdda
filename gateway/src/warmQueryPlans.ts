import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { ApolloGateway } from '@apollo/gateway';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { Logger } from '@attention-mesh/platform';
import { type DocumentNode, Kind, parse } from 'graphql';

/**
 * What ApolloGateway keeps to itself and its executor reads: the plan cache, the planner and the API
 * schema of the supergraph now served (all replaced together on a supergraph update).
 */
interface PlannerInternals {
  queryPlanStore: { set(key: string, plan: QueryPlan): Promise<void> };
  queryPlanner?: QueryPlanner;
  apiSchema?: Schema;
  recursiveSelectionsLimitDisabled?: boolean;
  nonLocalSelectionsLimitDisabled?: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The plan-cache keys ApolloGateway's executor looks a document up by, with and without its name. */
function keysOf(source: string, name: string | undefined, only: boolean): string[] {
  const queryHash = sha256(source);
  const named = name ? [createHash('sha256').update(queryHash).update(name).digest('hex')] : [];
  return only ? [queryHash, ...named] : named;
}

/**
 * Plans known documents (the trusted-documents manifest, the persisted operations seen) into the
 * gateway's query-plan cache, so that their first requests after a start or a supergraph update skip
 * the planner. One document per turn of the event loop, while requests are already served, and no
 * more than `budgetMs` in all; a document that does not plan is skipped (its request will say why).
 * Returns how many operations were planned.
 */
export async function warmQueryPlans(
  gateway: ApolloGateway,
  documents: Iterable<string>,
  logger: Logger,
  budgetMs = 2_000,
): Promise<number> {
  const internals = gateway as unknown as PlannerInternals;
  const { queryPlanner, apiSchema } = internals;
  if (!queryPlanner || !apiSchema) return 0;
  const started = Date.now();
  let planned = 0;
  for (const source of documents) {
    if (Date.now() - started > budgetMs) break;
    // A supergraph update while warming replaced the planner: those plans would be stale.
    if (internals.queryPlanner !== queryPlanner) break;
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch {
      continue;
    }
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    for (const op of operations) {
      // Subscriptions are planned by the gateway's own engine, not by ApolloGateway's executor.
      if (op.operation === 'subscription' || (operations.length > 1 && !op.name)) continue;
      const name = op.name?.value;
      try {
        const plan = queryPlanner.buildQueryPlan(
          operationFromDocument(apiSchema, document, name ? { operationName: name } : {}),
          {
            recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled ?? false,
            nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled ?? false,
          },
        );
        for (const key of keysOf(source, name, operations.length === 1))
          await internals.queryPlanStore.set(key, plan);
        planned++;
      } catch (err) {
        logger.debug({ err, operation: name }, 'plan warm-up: document skipped');
      }
    }
    await nextTurn();
  }
  if (planned) logger.info({ planned, ms: Date.now() - started }, 'query plans warmed');
  return planned;
}
