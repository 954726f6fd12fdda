import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, meshError } from '@attention-mesh/platform';
import {
  buildSchema,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  validate,
  validateSchema,
} from 'graphql';

/** The partner contract, or why there is none. */
export type PublicContract = { schema: GraphQLSchema } | { problem: string };

/** Reads the public schema file (`npm run compose` writes it); a missing or broken file is a problem, not a crash. */
export function loadPublicContract(file: string): PublicContract {
  if (!existsSync(file))
    return { problem: `the public schema file ${file} does not exist (run npm run compose)` };
  const invalid = (why: string) => ({ problem: `the public schema file ${file} is invalid: ${why}` });
  try {
    const text = readFileSync(file, 'utf8');
    if (!text.replace(/#.*$/gm, '').trim()) return { problem: `the public contract ${file} is empty` };
    const schema = buildSchema(text);
    // An empty contract (nothing tagged public yet) has no Query type and serves nobody.
    const errors = validateSchema(schema);
    return errors.length ? invalid(errors.map((e) => e.message).join('; ')) : { schema };
  } catch (err) {
    return invalid((err as Error).message);
  }
}

/** What a partner is told when the gateway has no contract to serve them. */
export const noContractError = (): GraphQLError =>
  meshError(ErrorCode.FORBIDDEN, 'API keys are not served by this gateway: it has no partner contract', {
    http: { status: 503 },
  });

/** The document checked against the partner contract: a field outside it fails as if it did not exist. */
export function contractErrors(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
  return validate(schema, document).map(
    (e) =>
      new GraphQLError(e.message, {
        ...(e.nodes ? { nodes: e.nodes } : {}),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
  );
}

const INTROSPECTION = new Set(['__schema', '__type']);

/** The root fields that introspect the schema (`__schema`, `__type`), answered from the contract for partners. */
export function introspectionFields(operation: OperationDefinitionNode) {
  return operation.selectionSet.selections.filter(
    (s) => s.kind === Kind.FIELD && INTROSPECTION.has(s.name.value),
  ) as FieldNode[];
}
