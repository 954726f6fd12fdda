import { accessError } from '@attention-mesh/platform';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FieldNode,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  responsePathAsArray,
} from 'graphql';
import type { DeniedField } from './deniedFields.js';

type Path = readonly (string | number)[];

const isUnder = (path: Path, prefix: Path) =>
  path.length >= prefix.length && prefix.every((p, i) => path[i] === p);

export interface AnswerInput {
  /** The schema the client's document is read against (the API schema, or a partner's contract). */
  schema: GraphQLSchema;
  /** The client's document, as sent. */
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  /** The answer to the document without the denied fields. */
  inner: ExecutionResult;
  denied: ReadonlyMap<FieldNode, DeniedField>;
}

/**
 * Apollo Router's answer to a query with fields the caller may not use: the client's document is
 * executed again over the answer without those fields, so each denied field is null with its
 * UNAUTHENTICATED or FORBIDDEN error at its path (aliases and list indexes included), a non-null one
 * nulls its parent as GraphQL requires, and the rest is what the subgraphs answered. A subgraph's error
 * is raised again where its null is, keeping its message, code and path; the others are appended.
 */
export async function answerWithDenials(input: AnswerInput): Promise<ExecutionResult> {
  const innerErrors = [...(input.inner.errors ?? [])];
  const raised = new Set<GraphQLError>();

  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _ctx, info) => {
    const denial = deniedOf(info.fieldNodes, input.denied);
    if (denial) throw accessError(denial.denial, denial.coordinate, denial.rule);
    const value = (source as Record<string, unknown> | null | undefined)?.[info.path.key as string];
    if (value !== null && value !== undefined) return value;
    const path = responsePathAsArray(info.path);
    const error =
      innerErrors.find(
        (e) => e.path && !raised.has(e) && isUnder(e.path, path) && e.path.length === path.length,
      ) ?? innerErrors.find((e) => e.path && !raised.has(e) && isUnder(e.path, path));
    if (!error) return null;
    raised.add(error);
    // Thrown with its own path, graphql-js keeps it as it is.
    throw error.path ? error : new GraphQLError(error.message, { path, extensions: error.extensions });
  };
  const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) =>
    (value as { __typename?: string } | null)?.__typename;

  const result = await execute({
    schema: input.schema,
    document: input.document,
    rootValue: input.inner.data ?? {},
    variableValues: input.variables ?? {},
    operationName: input.operationName ?? undefined,
    fieldResolver,
    typeResolver,
  });
  const rest = innerErrors.filter((e) => !raised.has(e));
  const errors = [...(result.errors ?? []), ...rest];
  return {
    data: result.data ?? null,
    ...(errors.length ? { errors } : {}),
    ...(input.inner.extensions ? { extensions: input.inner.extensions } : {}),
  };
}

/** A field is denied when every node it merges from is (the same response key may come twice). */
function deniedOf(
  nodes: readonly FieldNode[],
  denied: ReadonlyMap<FieldNode, DeniedField>,
): DeniedField | undefined {
  const first = nodes[0] && denied.get(nodes[0]);
  return first && nodes.every((n) => denied.has(n)) ? first : undefined;
}
