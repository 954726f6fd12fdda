import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The error codes clients can rely on, in `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  COST_LIMIT: 'COST_LIMIT',
  DEPTH_LIMIT: 'DEPTH_LIMIT',
  ALIAS_LIMIT: 'ALIAS_LIMIT',
  ROOT_FIELD_LIMIT: 'ROOT_FIELD_LIMIT',
  DIRECTIVE_LIMIT: 'DIRECTIVE_LIMIT',
  TOKEN_LIMIT: 'TOKEN_LIMIT',
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The user id was erased (its tombstone is stored): nothing more is recorded for it. */
  USER_ERASED: 'USER_ERASED',
  /** A partner's daily differential-privacy budget is spent; extensions carry `remaining` and `resetsAt`. */
  PRIVACY_BUDGET_EXHAUSTED: 'PRIVACY_BUDGET_EXHAUSTED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A public error: its message and extensions are meant for API users. */
export function meshError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Bad input, naming the offending field (a dotted path into the input) so clients can show it. */
export function badUserInput(
  message: string,
  field?: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return meshError(ErrorCode.BAD_USER_INPUT, message, field ? { field, ...extra } : extra);
}

export function notFound(typename: string, id: string): GraphQLError {
  return meshError(ErrorCode.NOT_FOUND, `${typename} ${id} does not exist`, { typename, id });
}

const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * Apollo `formatError`: public errors pass through; anything else (a driver error, a bug) becomes
 * an opaque INTERNAL_SERVER_ERROR so no stack, database name or query reaches the client.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  onInternal?: (formatted: GraphQLFormattedError) => void,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onInternal?.(formatted);
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
