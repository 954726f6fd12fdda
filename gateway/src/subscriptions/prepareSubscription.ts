import {
  accessError,
  badUserInput,
  type Caller,
  ErrorCode,
  hasScope,
  isAdmin,
  isAuthenticated,
  meshError,
  Scope,
} from '@attention-mesh/platform';
import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import { type DeniedField, deniedFields } from '../access/deniedFields.js';
import { withoutFields } from '../access/withoutFields.js';
import { clientKind } from '../demand/clientKind.js';
import { estimateCost } from '../demand/estimateCost.js';
import { measureOperation } from '../demand/measureOperation.js';
import type { DemandLimits } from '../plugins/useDemandControl.js';
import type { GraphState } from './graphPlans.js';
import { isSubscriptionField, SUBSCRIPTION_FIELDS, type SubscriptionField } from './subscriptionFields.js';

/** What a client sends to subscribe (graphql-ws `subscribe` payload, SSE request body). */
export interface SubscribeRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** A subscription that passed every check at subscribe time. */
export interface PreparedSubscription {
  field: SubscriptionField;
  /** The value of the field's argument: the events it receives. */
  argument: string;
  /** The client's document and operation, as sent. */
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** Fields of the selection the caller may not use: null with their error in every payload. */
  denied: Map<FieldNode, DeniedField>;
  /** What is planned: the document without the denied fields. */
  planned: DocumentNode;
}

/** Asks the graph who owns a campaign or an ad, as the subscriber (cached by the caller of this). */
export type OwnerLookup = (kind: 'campaign' | 'ad', id: string, caller: Caller) => Promise<string | null>;

export interface PrepareOptions {
  demand: DemandLimits;
  /** The longest argument value (ids), in characters. */
  maxArgumentLength: number;
  ownerOf: OwnerLookup;
}

/** A refusal at subscribe time: the errors, and the HTTP status an SSE request is answered with. */
export class SubscribeRefusal extends Error {
  constructor(
    readonly errors: readonly GraphQLError[],
    readonly status: number,
  ) {
    super(errors[0]?.message ?? 'subscription refused');
  }
}

/**
 * Parsed documents and their validation by query text: many subscribers send the same document, which
 * is then held once (and validated once per supergraph). Bounded; the oldest text is dropped first.
 */
interface KnownDocument {
  document: DocumentNode;
  validated?: { generation: number; errors: readonly GraphQLError[] };
}
const documents = new Map<string, KnownDocument>();
const MAX_DOCUMENTS = 1_000;

function parsed(query: string, maxTokens: number): KnownDocument {
  let known = documents.get(query);
  if (known) return known;
  known = { document: parse(query, { maxTokens }) };
  if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value as string);
  documents.set(query, known);
  return known;
}

/** Validation against the current supergraph's API schema (after the shape limits: it costs more). */
function validated(state: GraphState, known: KnownDocument): readonly GraphQLError[] {
  if (known.validated?.generation !== state.generation)
    known.validated = { generation: state.generation, errors: validate(state.apiSchema, known.document) };
  return known.validated.errors;
}

const refuse = (status: number, ...errors: GraphQLError[]) => new SubscribeRefusal(errors, status);

const denied = (caller: Caller, message: string) =>
  isAuthenticated(caller)
    ? refuse(403, meshError(ErrorCode.FORBIDDEN, message))
    : refuse(401, meshError(ErrorCode.UNAUTHENTICATED, `${message}: sign in first`));

const statusOf = (code: unknown) => (code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : 400);

/** The document's shape held to the demand limits, as for queries (DEPTH_LIMIT, ALIAS_LIMIT, …). */
function checkShape(document: DocumentNode, operation: OperationDefinitionNode, limits: DemandLimits) {
  const shape = measureOperation(document, operation);
  const checks = [
    ['depth', limits.maxDepth, ErrorCode.DEPTH_LIMIT, 'nests fields deeper'],
    ['aliases', limits.maxAliases, ErrorCode.ALIAS_LIMIT, 'has more aliases'],
    ['rootFields', limits.maxRootFields, ErrorCode.ROOT_FIELD_LIMIT, 'has more root fields'],
    ['directives', limits.maxDirectives, ErrorCode.DIRECTIVE_LIMIT, 'uses more directives'],
  ] as const;
  for (const [measure, limit, code, text] of checks) {
    const value = shape[measure];
    if (value > limit)
      throw refuse(
        400,
        meshError(code, `the subscription ${text} than the limit of ${limit} (${value})`, {
          limit,
          measured: value,
        }),
      );
  }
}

/**
 * Every check a subscription passes before it is accepted, in the order a query meets them: parse
 * (token limit), shape limits, validation against the gateway's API schema, one subscription
 * operation, no API key (the partner contract has no subscriptions), static cost within the caller's
 * budget (the per-event cost of the selection), the access rules of the schema (a denied root field
 * refuses; a denied nested field is null with its error in each payload), the argument's bounds, and
 * ownership: a person subscribes to their own user, an advertiser member to its campaigns and ads
 * (asked of the ads subgraph through the graph, as the subscriber), analysts and admins to any.
 * Throws a `SubscribeRefusal`.
 */
export async function prepareSubscription(
  state: GraphState,
  caller: Caller,
  request: SubscribeRequest,
  opts: PrepareOptions,
): Promise<PreparedSubscription> {
  if (typeof request.query !== 'string' || request.query.trim() === '')
    throw refuse(400, meshError('BAD_REQUEST' as ErrorCode, 'a subscription needs its `query` (a string)'));
  if (
    request.variables != null &&
    (typeof request.variables !== 'object' || Array.isArray(request.variables))
  )
    throw refuse(400, meshError('BAD_REQUEST' as ErrorCode, '`variables` must be an object'));
  const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
  let known: KnownDocument;
  try {
    known = parsed(request.query, opts.demand.maxTokens);
  } catch (err) {
    const message = (err as Error).message;
    const tokens = /more tha[nt] (\d+) tokens/.exec(message);
    throw refuse(
      400,
      tokens
        ? meshError(ErrorCode.TOKEN_LIMIT, `the document has more tokens than the limit of ${tokens[1]}`, {
            limit: Number(tokens[1]),
          })
        : new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
    );
  }
  const document = known.document;
  const operation = getOperationAST(document, operationName);
  if (!operation)
    throw refuse(
      400,
      new GraphQLError('the document has no operation of that name, or several without a name', {
        extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
      }),
    );
  checkShape(document, operation, opts.demand);
  const validation = validated(state, known);
  if (validation.length)
    throw refuse(
      400,
      ...validation.map(
        (e) =>
          new GraphQLError(e.message, {
            ...(e.nodes ? { nodes: e.nodes } : {}),
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
      ),
    );
  if (operation.operation !== 'subscription')
    throw refuse(
      400,
      meshError(
        'BAD_REQUEST' as ErrorCode,
        `only subscriptions are served here: send ${operation.operation === 'query' ? 'queries' : 'mutations'} with POST /graphql`,
      ),
    );
  if (caller.partnerId !== undefined || caller.apiKeyId !== undefined)
    throw refuse(
      403,
      meshError(
        ErrorCode.FORBIDDEN,
        'subscriptions are not part of the partner contract: API keys cannot subscribe',
      ),
    );

  const coerced = getVariableValues(state.apiSchema, operation.variableDefinitions ?? [], {
    ...((request.variables as Record<string, unknown> | null) ?? {}),
  });
  if (coerced.errors)
    throw refuse(
      400,
      ...coerced.errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } })),
    );
  const variables = coerced.coerced;

  let cost: number;
  try {
    cost = estimateCost({
      schema: state.apiSchema,
      directives: state.costDirectives,
      document,
      operation,
      variables,
      defaultListSize: opts.demand.defaultListSize,
    });
  } catch (err) {
    if (err instanceof GraphQLError) throw refuse(400, err);
    throw err;
  }
  const budget = opts.demand.costLimits[clientKind(caller)];
  if (cost > budget)
    throw refuse(
      400,
      meshError(
        ErrorCode.COST_LIMIT,
        `each payload of the subscription costs ${cost}, more than the budget of ${budget}`,
        {
          cost,
          limit: budget,
        },
      ),
    );

  const deniedMap = deniedFields(state.apiSchema, document, state.rules, caller);
  const rootRefusal = [...deniedMap.values()].find((d) => d.root);
  if (rootRefusal) {
    const error = accessError(rootRefusal.denial, rootRefusal.coordinate, rootRefusal.rule);
    throw refuse(
      statusOf(error.extensions.code),
      new GraphQLError(error.message, {
        path: [rootRefusal.responseKey],
        extensions: error.extensions,
      }),
    );
  }

  const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  const subscriptionType = state.apiSchema.getSubscriptionType();
  const fieldDef = root && subscriptionType?.getFields()[root.name.value];
  if (!root || !fieldDef || !isSubscriptionField(root.name.value))
    throw refuse(
      400,
      meshError('BAD_REQUEST' as ErrorCode, 'the subscription selects no Subscription field'),
    );
  const field = SUBSCRIPTION_FIELDS[root.name.value];
  const args = getArgumentValues(fieldDef, root, variables);
  const argument = args[field.argument];
  if (typeof argument !== 'string' || argument.length === 0 || argument.length > opts.maxArgumentLength)
    throw refuse(
      400,
      badUserInput(`${field.argument} must be 1-${opts.maxArgumentLength} characters`, field.argument),
    );

  await checkOwnership(field, argument, caller, opts.ownerOf);
  return {
    field,
    argument,
    document,
    operationName,
    variables,
    denied: deniedMap,
    planned: deniedMap.size ? withoutFields(document, new Set(deniedMap.keys())) : document,
  };
}

async function checkOwnership(
  field: SubscriptionField,
  argument: string,
  caller: Caller,
  ownerOf: OwnerLookup,
) {
  if (isAdmin(caller) || hasScope(caller, Scope.ANALYTICS_READ)) return;
  if (field.ownership === 'self') {
    if (caller.userId !== argument)
      throw denied(caller, `Only the user themselves may subscribe to ${field.name} of this user`);
    return;
  }
  const what = field.ownership === 'campaign' ? 'this campaign' : 'this ad';
  if (caller.advertiserId === undefined || !hasScope(caller, Scope.ADS_WRITE))
    throw denied(caller, `Only members of the advertiser of ${what} may subscribe to ${field.name}`);
  const owner = await ownerOf(field.ownership, argument, caller);
  if (owner !== caller.advertiserId)
    throw denied(caller, `Only members of the advertiser of ${what} may subscribe to ${field.name}`);
}
