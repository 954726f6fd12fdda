import { createHash } from 'node:crypto';
import {
  type AccessRules,
  accessError,
  type Caller,
  ErrorCode,
  type Logger,
  meshError,
  readAccessRules,
} from '@attention-mesh/platform';
import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  printSchema,
} from 'graphql';
import { answerWithDenials } from '../access/answerWithDenials.js';
import { callerKind, type DeniedField, deniedFields } from '../access/deniedFields.js';
import {
  contractErrors,
  introspectionFields,
  loadPublicContract,
  noContractError,
} from '../access/publicContract.js';
import { asksForData, withoutFields } from '../access/withoutFields.js';
import type { GatewayContext } from '../context.js';
import type { GatewayPlugin, ServedGateway } from './gatewayPlugin.js';

type Executor = NonNullable<Awaited<ReturnType<ServedGateway['load']>>['executor']>;
type RequestContext = Parameters<Executor>[0];

export interface AccessControlOptions {
  /** The partner contract API-key callers are held to (PUBLIC_SCHEMA_PATH). */
  publicSchemaFile: string;
  logger: Logger;
}

/** What one document asks of one kind of caller, worked out once. */
interface Analysis {
  denied: Map<FieldNode, DeniedField>;
  /** A denied root field of a mutation or subscription: nothing of it runs. */
  refusal?: DeniedField;
  /** The document the subgraphs are asked, when it differs from the client's. */
  inner?: {
    document: DocumentNode;
    operation: OperationDefinitionNode;
    queryHash: string;
    asksForData: boolean;
  };
}

interface Loaded {
  apiSchema?: GraphQLSchema;
  rules?: AccessRules;
  problem?: string;
}

const operationOf = (document: DocumentNode, name: string | null | undefined) =>
  document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!name || d.name?.value === name),
  );

/**
 * The gateway's enforcement of the supergraph's access rules (`@authenticated`, `@requiresScopes`,
 * `@policy`), before any subgraph is called, with Apollo Router's results: an operation without a
 * denied field passes through untouched; a denied root field of a mutation refuses the whole
 * operation; any other denied field is left out of what the subgraphs are asked and comes back null
 * with its UNAUTHENTICATED or FORBIDDEN error at its path, the rest of the operation resolving.
 * Callers with an API key are held to the partner contract (the public schema): anything outside it
 * fails validation, and their introspection sees only the contract. Subgraphs check the same rules
 * again, and ownership of the data, on their side.
 */
export function useAccessControl(opts: AccessControlOptions): GatewayPlugin {
  const contract = loadPublicContract(opts.publicSchemaFile);
  if ('problem' in contract)
    opts.logger.warn({ problem: contract.problem }, 'no partner contract: API-key requests are refused');
  let loaded: Loaded | undefined;
  let analyses = new WeakMap<DocumentNode, Map<string, Analysis>>();
  const contractChecks = new WeakMap<DocumentNode, GraphQLError[]>();

  function analyse(
    rc: RequestContext,
    caller: Caller,
    { schema, rules }: { schema: GraphQLSchema; rules: AccessRules },
    partner: boolean,
  ): Analysis {
    const key = `${rc.operationName ?? ''}\u0000${callerKind(caller)}`;
    let byKind = analyses.get(rc.document);
    if (!byKind) {
      byKind = new Map();
      analyses.set(rc.document, byKind);
    }
    const cached = byKind.get(key);
    if (cached) return cached;
    const denied = deniedFields(schema, rc.document, rules, caller);
    const operation = operationOf(rc.document, rc.operationName);
    // Root fields of another operation of the document (a mutation beside this query) do not count.
    const refusal =
      operation && operation.operation !== 'query' ? [...denied.values()].find((d) => d.root) : undefined;
    const remove = new Set(denied.keys());
    if (partner && operation) for (const f of introspectionFields(operation)) remove.add(f);
    const analysis: Analysis = { denied, ...(refusal ? { refusal } : {}) };
    if (!refusal && remove.size) {
      const document = withoutFields(rc.document, remove);
      const op = operationOf(document, rc.operationName);
      if (op) {
        const queryHash = createHash('sha256').update(print(document)).digest('hex');
        analysis.inner = { document, operation: op, queryHash, asksForData: asksForData(op) };
      }
    }
    byKind.set(key, analysis);
    return analysis;
  }

  const guard =
    (executor: Executor): Executor =>
    async (rc) => {
      const caller = (rc.context as GatewayContext).caller;
      const state = loaded;
      if (!state?.rules || !state.apiSchema) {
        opts.logger.error({ problem: state?.problem }, 'access rules unavailable; operation refused');
        return { errors: [meshError(ErrorCode.INTERNAL_SERVER_ERROR, 'access rules unavailable')] };
      }
      const partner = caller.partnerId !== undefined;
      let answerSchema = state.apiSchema;
      if (partner) {
        if ('problem' in contract) return { errors: [noContractError()] };
        let errors = contractChecks.get(rc.document);
        if (!errors) {
          errors = contractErrors(contract.schema, rc.document);
          contractChecks.set(rc.document, errors);
        }
        if (errors.length) {
          if (rc.response?.http) rc.response.http.status = 400;
          return { errors };
        }
        answerSchema = contract.schema;
      }
      const analysis = analyse(rc, caller, { schema: state.apiSchema, rules: state.rules }, partner);
      if (analysis.refusal) {
        const { coordinate, denial, rule, responseKey } = analysis.refusal;
        const error = accessError(denial, coordinate, rule);
        return {
          data: null,
          errors: [new GraphQLError(error.message, { path: [responseKey], extensions: error.extensions })],
        };
      }
      const inner = analysis.inner;
      if (!inner) return executor(rc);
      const innerResult: ExecutionResult = inner.asksForData
        ? await executor({
            ...rc,
            document: inner.document,
            operation: inner.operation,
            queryHash: inner.queryHash,
          })
        : { data: {} };
      return answerWithDenials({
        schema: answerSchema,
        document: rc.document,
        operationName: rc.operationName,
        variables: rc.request.variables ?? {},
        inner: innerResult,
        denied: analysis.denied,
      }) as ReturnType<Executor>;
    };

  return {
    name: 'access-control',
    wrapGateway(gateway) {
      gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
        analyses = new WeakMap();
        try {
          // A copy without the gateway's field resolvers: the answer is read again by response key.
          loaded = {
            apiSchema: buildSchema(printSchema(apiSchema)),
            rules: readAccessRules(parse(coreSupergraphSdl)),
          };
        } catch (err) {
          // Fail closed: without the rules nothing is served.
          loaded = { problem: (err as Error).message };
          opts.logger.error({ err }, 'the supergraph access rules cannot be read; operations are refused');
        }
      });
      return {
        onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
        stop: () => gateway.stop(),
        async load(options) {
          const result = await gateway.load(options);
          return result.executor ? { ...result, executor: guard(result.executor) } : result;
        },
      };
    },
  };
}
