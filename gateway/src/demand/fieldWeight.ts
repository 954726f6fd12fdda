import {
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
} from 'graphql';
import type { CostDirectives } from './costDirectives.js';

/** A mutation's root field costs this much unless it says otherwise (the IBM cost specification). */
export const MUTATION_ROOT_FIELD_WEIGHT = 10;

/**
 * The weight of one instance of a field: its own `@cost`, else its type's, else 1 for an object,
 * interface or union and 0 for a scalar or enum (10 for a mutation's root field).
 */
export function fieldWeight(
  schema: GraphQLSchema,
  directives: CostDirectives,
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
): number {
  const own = directives.fields.get(`${parent.name}.${field.name}`);
  if (own !== undefined) return own;
  if (parent === schema.getMutationType()) return MUTATION_ROOT_FIELD_WEIGHT;
  const type = getNamedType(field.type);
  return directives.types.get(type.name) ?? (isCompositeType(type) ? 1 : 0);
}

/** The field's definition on an object or interface type (none on a union, but `__typename`). */
export function fieldOf(
  parent: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return 'getFields' in parent ? parent.getFields()[name] : undefined;
}
