import type { GraphQLError } from 'graphql';
import { ErrorCode, meshError } from '../errors.js';
import { type AccessDenial, describeRule, type FieldRule } from './accessRules.js';

/** The error of a field the caller may not use, naming the field and what it needs. */
export function accessError(denial: AccessDenial, field: string, rule: FieldRule): GraphQLError {
  return denial === 'UNAUTHENTICATED'
    ? meshError(ErrorCode.UNAUTHENTICATED, `${field} needs a signed-in caller`, { field })
    : meshError(ErrorCode.FORBIDDEN, `${field} needs ${describeRule(rule)}`, { field });
}
