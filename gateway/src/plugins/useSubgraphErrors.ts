import { ErrorCode, type Logger } from '@attention-mesh/platform';
import {
  type DocumentNode,
  type GraphQLFormattedError,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayPlugin, SubgraphRequest } from './gatewayPlugin.js';

type Path = (string | number)[];

/**
 * A subgraph that is down, answers 5xx or answers something that is not GraphQL becomes a
 * `DOWNSTREAM_SERVICE_ERROR` at each field it should have resolved, so the rest of the query still
 * resolves and the client sees which part failed (the gateway adds `serviceName` and turns the
 * subgraph-relative paths into paths of the client's query). What went wrong, with the subgraph's
 * URL, goes to the log only. Errors a subgraph meant for the client (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN,
 * UNAUTHENTICATED, ...: every GraphQL error with a code) pass through unchanged, also when they failed the
 * whole subgraph request (a variable's coercion error has no path) or came with a non-2xx status.
 */
export function useSubgraphErrors(logger: Logger): GatewayPlugin {
  return {
    name: 'subgraph-errors',
    onSubgraphFailure({ name, error, request }) {
      const answered = codedErrorsOf(error);
      if (answered) return { errors: answered };
      logger.warn({ err: error, subgraph: name }, 'subgraph call failed');
      const message = `The ${name} service is unavailable`;
      const extensions = { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR };
      const paths = missingPaths(request);
      return {
        errors: paths.length
          ? paths.map((path) => ({ message, path, extensions }))
          : [{ message, extensions }],
      };
    },
  };
}

/**
 * The errors of a GraphQL body that came with a failing status, when each one carries a code meant for
 * the client (an INTERNAL_SERVER_ERROR is the subgraph failing: a downstream error at the fields).
 */
function codedErrorsOf(error: unknown): GraphQLFormattedError[] | undefined {
  const body = (error as { extensions?: { response?: { body?: unknown } } } | undefined)?.extensions?.response
    ?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const coded = errors.every(
    (e) =>
      typeof e?.message === 'string' &&
      typeof e.extensions?.code === 'string' &&
      e.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR,
  );
  if (!coded) return undefined;
  return (errors as GraphQLFormattedError[]).map(({ message, path, extensions }) => ({
    message,
    ...(path ? { path } : {}),
    extensions,
  }));
}

/**
 * The fields the failed call should have resolved, as paths in the subgraph's answer: root fields by
 * their response key; for an entity call, each representation's fields as `_entities.<i>.<key>`.
 */
function missingPaths(request: SubgraphRequest): Path[] {
  let document: DocumentNode;
  try {
    // Parsed only when a call failed: the query plan keeps just the text of subgraph operations.
    document = parse(request.query ?? '');
  } catch {
    return [];
  }
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) return [];
  const paths: Path[] = [];
  for (const root of responseKeys(operation.selectionSet)) {
    if (root.key !== '_entities') {
      paths.push([root.key]);
      continue;
    }
    const representations = request.variables?.representations;
    const count = Array.isArray(representations) ? representations.length : 0;
    const fields = root.selectionSet ? responseKeys(root.selectionSet).map((f) => f.key) : [];
    for (let i = 0; i < count; i++) for (const key of fields) paths.push(['_entities', i, key]);
  }
  return paths;
}

function responseKeys(set: SelectionSetNode): { key: string; selectionSet?: SelectionSetNode }[] {
  const keys = new Map<string, SelectionSetNode | undefined>();
  const walk = (s: SelectionSetNode) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else if (sel.kind === Kind.FIELD && sel.name.value !== '__typename')
        keys.set(sel.alias?.value ?? sel.name.value, sel.selectionSet);
    }
  };
  walk(set);
  return [...keys].map(([key, selectionSet]) => (selectionSet ? { key, selectionSet } : { key }));
}
