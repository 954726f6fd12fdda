import { operationFromDocument, type Schema, Supergraph } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { type QueryPlan, QueryPlanner } from '@apollo/query-planner';
import { type AccessRules, type Logger, readAccessRules } from '@attention-mesh/platform';
import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  parse,
  printSchema,
} from 'graphql';
import { type CostDirectives, readCostDirectives } from '../demand/costDirectives.js';

type OperationContext = ReturnType<typeof buildOperationContext>;
type RequestContext = Parameters<typeof executeQueryPlan>[2];

/**
 * What the gateway's subscriptions read of one supergraph: its API schema (validation), Apollo's query
 * planner over it, the access rules and cost directives. Built again on every schema load or update.
 */
export interface GraphState {
  /** The gateway's API schema (from `onSchemaLoadOrUpdate`): subscription documents validate here. */
  apiSchema: GraphQLSchema;
  /** The same without resolvers, for answers with denied fields read again by response key. */
  answerSchema: GraphQLSchema;
  federationApiSchema: Schema;
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
  rules: AccessRules;
  costDirectives: CostDirectives;
  /** Increases with every supergraph: plans of an older one are planned again. */
  generation: number;
}

let generations = 0;

export function buildGraphState(apiSchema: GraphQLSchema, coreSupergraphSdl: string): GraphState {
  const supergraph = Supergraph.build(coreSupergraphSdl);
  const document = parse(coreSupergraphSdl);
  return {
    apiSchema,
    answerSchema: buildSchema(printSchema(apiSchema)),
    federationApiSchema: supergraph.apiSchema(),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    planner: new QueryPlanner(supergraph),
    rules: readAccessRules(document),
    costDirectives: readCostDirectives(document),
    generation: ++generations,
  };
}

/** An operation planned by Apollo's query planner, runnable with `runPlan`. */
export interface GraphPlan {
  queryPlan: QueryPlan;
  operationContext: OperationContext;
  document: DocumentNode;
  operationName: string | undefined;
  generation: number;
}

/**
 * Plans a (validated) operation. A subscription's plan is a primary fetch (to the events subgraph)
 * plus the rest: rewritten into a plain sequence, which `executeQueryPlan` runs like a query's.
 */
export function planOperation(state: GraphState, document: DocumentNode, operationName?: string): GraphPlan {
  const operation = operationFromDocument(state.federationApiSchema, document, {
    ...(operationName ? { operationName } : {}),
  });
  const planned = state.planner.buildQueryPlan(operation);
  let queryPlan: QueryPlan = planned;
  if (planned.node?.kind === 'Subscription') {
    const { primary, rest } = planned.node;
    queryPlan = { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary };
  }
  return {
    queryPlan,
    operationContext: buildOperationContext({
      schema: state.apiSchema,
      operationDocument: document,
      ...(operationName ? { operationName } : {}),
    }),
    document,
    operationName,
    generation: state.generation,
  };
}

/**
 * Runs a plan as the gateway's executor does, with `context` handed to every data source (the
 * subscriber's signed internal context; for a subscription, the event's payload for the events
 * subgraph).
 */
export function runPlan(
  state: GraphState,
  plan: GraphPlan,
  serviceMap: Record<string, GraphQLDataSource>,
  context: object,
  variables: Record<string, unknown>,
  logger: Logger,
): Promise<ExecutionResult> {
  const requestContext = {
    request: { variables, ...(plan.operationName ? { operationName: plan.operationName } : {}) },
    context,
    document: plan.document,
    operation: plan.operationContext.operation,
    operationName: plan.operationName ?? null,
    queryHash: '',
    logger,
    metrics: {},
    schema: state.apiSchema,
  } as unknown as RequestContext;
  return executeQueryPlan(
    plan.queryPlan,
    serviceMap,
    requestContext,
    plan.operationContext,
    state.supergraphSchema,
    state.federationApiSchema,
  ) as Promise<ExecutionResult>;
}
