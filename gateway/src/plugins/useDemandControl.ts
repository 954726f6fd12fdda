import { ErrorCode, type Logger, meshError } from '@attention-mesh/platform';
import { type DocumentNode, GraphQLError, Kind, parse } from 'graphql';
import type { GatewayContext } from '../context.js';
import { actualCost } from '../demand/actualCost.js';
import { type ClientKind, clientKind } from '../demand/clientKind.js';
import { CostByVariables } from '../demand/costByVariables.js';
import { type CostDirectives, readCostDirectives } from '../demand/costDirectives.js';
import { estimateCost } from '../demand/estimateCost.js';
import { countTokens, measureOperation, type OperationShape } from '../demand/measureOperation.js';
import type { GatewayPlugin, ServedGateway } from './gatewayPlugin.js';

type Executor = NonNullable<Awaited<ReturnType<ServedGateway['load']>>['executor']>;

/** The demand limits (see `GatewayConfig.demand`). */
export interface DemandLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Enforced by the parser (`parseOptions.maxTokens`); this plugin names the refusal TOKEN_LIMIT. */
  maxTokens: number;
  /** The size assumed for a list field without `@listSize`. */
  defaultListSize: number;
  /** The largest static cost an operation may have, by kind of caller. */
  costLimits: Record<ClientKind, number>;
}

/** What one operation of a document measures, worked out once per document. */
interface Measured {
  shape: OperationShape;
  /** The cost when it does not depend on variables. */
  cost?: number;
  /** The cost by the variables it depends on. */
  costs?: CostByVariables;
}

const NO_DIRECTIVES: CostDirectives = {
  types: new Map(),
  fields: new Map(),
  arguments: new Map(),
  listSizes: new Map(),
};

// graphql-js 16 spells it "more that".
const TOO_MANY_TOKENS = /Document contains more tha[nt] (\d+) tokens/;

const refusal = (code: ErrorCode, message: string, extensions: Record<string, unknown>) =>
  meshError(code, message, { ...extensions, http: { status: 400 } });

const LIMITS = [
  ['depth', 'maxDepth', ErrorCode.DEPTH_LIMIT, 'nests fields deeper'],
  ['aliases', 'maxAliases', ErrorCode.ALIAS_LIMIT, 'has more aliases'],
  ['rootFields', 'maxRootFields', ErrorCode.ROOT_FIELD_LIMIT, 'has more root fields'],
  ['directives', 'maxDirectives', ErrorCode.DIRECTIVE_LIMIT, 'uses more directives'],
] as const;

/**
 * Demand control, before anything is planned or sent to a subgraph: the operation's depth, aliases,
 * root fields and directives (fragments expanded) and the document's tokens are held to their
 * limits, then its static cost (`@cost`/`@listSize` of the supergraph, the IBM GraphQL cost
 * specification) to the budget of the caller's kind; a refusal is HTTP 400 with its code
 * (DEPTH_LIMIT, ALIAS_LIMIT, ROOT_FIELD_LIMIT, DIRECTIVE_LIMIT, TOKEN_LIMIT with `limit` and
 * `measured`; COST_LIMIT with `cost` and `limit`). The estimate is put on `context.demand` before
 * execution and the cost of what was actually returned after it (for the rate budget).
 */
export function useDemandControl(limits: DemandLimits, logger: Logger): GatewayPlugin {
  let directives: CostDirectives | undefined;
  /** Per document: each operation's shape and cost, and the refusal of the first over a limit. */
  let measured = new WeakMap<DocumentNode, { operations: Map<string, Measured>; refusal?: GraphQLError }>();

  function measure(document: DocumentNode) {
    let m = measured.get(document);
    if (m) return m;
    m = { operations: new Map() };
    for (const d of document.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      const shape = measureOperation(document, d);
      m.operations.set(d.name?.value ?? '', { shape });
      const what = d.name?.value ? `operation ${d.name.value}` : 'the operation';
      for (const [measure, limit, code, text] of LIMITS) {
        const value = shape[measure];
        if (value > limits[limit] && !m.refusal)
          m.refusal = refusal(code, `${what} ${text} than the limit of ${limits[limit]} (${value})`, {
            limit: limits[limit],
            measured: value,
          });
      }
    }
    measured.set(document, m);
    return m;
  }

  const measuring =
    (executor: Executor): Executor =>
    async (rc) => {
      const result = await executor(rc);
      const context = rc.context as GatewayContext;
      if (context.demand && directives && rc.operation && 'data' in result && result.data) {
        context.demand.actualCost = actualCost({
          schema: rc.schema,
          directives,
          document: rc.document,
          operation: rc.operation,
          variables: rc.request.variables ?? {},
          data: result.data,
        });
      }
      return result;
    };

  return {
    name: 'demand-control',
    wrapGateway(gateway) {
      gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
        measured = new WeakMap();
        try {
          directives = readCostDirectives(parse(coreSupergraphSdl));
        } catch (err) {
          // Without the directives every field costs its default weight: still bounded.
          directives = NO_DIRECTIVES;
          logger.error({ err }, "the supergraph's @cost/@listSize cannot be read; default weights apply");
        }
      });
      return {
        onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
        stop: () => gateway.stop(),
        async load(options) {
          const result = await gateway.load(options);
          return result.executor ? { ...result, executor: measuring(result.executor) } : result;
        },
      };
    },
    apolloPlugins: [
      {
        async requestDidStart() {
          return {
            async validationDidStart(rc) {
              // The limits before validation (whose overlapping-fields rule is quadratic): a refused
              // document is swapped for a stand-in that validates at once and is refused below (the
              // document cache keeps the stand-in for the same text).
              const m = measure(rc.document);
              if (!m.refusal) return;
              const standIn = parse('{ __typename }', { noLocation: true });
              measured.set(standIn, m);
              (rc as { document: DocumentNode }).document = standIn;
            },
            async didResolveOperation(rc) {
              const { document, operation } = rc;
              const doc = measure(document);
              if (doc.refusal) throw doc.refusal;
              const m = operation && doc.operations.get(operation.name?.value ?? '');
              if (!operation || !m) return;
              const kind = operation.name?.value ? `operation ${operation.name.value}` : 'the operation';
              const costOf = (variables: Record<string, unknown>) =>
                estimateCost({
                  schema: rc.schema,
                  directives: directives ?? NO_DIRECTIVES,
                  document,
                  operation,
                  variables,
                  defaultListSize: limits.defaultListSize,
                });
              let cost = m.cost;
              if (cost === undefined) {
                const variables = rc.request.variables ?? {};
                try {
                  if (!operation.variableDefinitions?.length) {
                    cost = costOf(variables);
                    m.cost = cost;
                  } else {
                    m.costs ??= new CostByVariables();
                    cost = m.costs.cost(variables, costOf);
                  }
                } catch (err) {
                  // A field without its one slicing argument: the client's mistake.
                  if (err instanceof GraphQLError) err.extensions.http = { status: 400 };
                  throw err;
                }
              }
              const budget = limits.costLimits[clientKind(rc.contextValue.caller)];
              if (cost > budget)
                throw refusal(
                  ErrorCode.COST_LIMIT,
                  `${kind} costs ${cost}, more than the budget of ${budget}`,
                  {
                    cost,
                    limit: budget,
                  },
                );
              rc.contextValue.demand = { estimatedCost: cost };
            },
            async willSendResponse(rc) {
              // The parser's refusal of a document over `maxTokens`, named and measured.
              const body = rc.response.body;
              if (body.kind !== 'single' || rc.document || !rc.source) return;
              const errors = body.singleResult.errors;
              const match = errors?.length === 1 ? TOO_MANY_TOKENS.exec(errors[0]?.message ?? '') : null;
              if (!match) return;
              const limit = Number(match[1]);
              const value = countTokens(rc.source);
              body.singleResult.errors = [
                {
                  message: `the document has more tokens than the limit of ${limit} (${value})`,
                  extensions: { code: ErrorCode.TOKEN_LIMIT, limit, measured: value },
                },
              ];
            },
          };
        },
      },
    ],
  };
}
