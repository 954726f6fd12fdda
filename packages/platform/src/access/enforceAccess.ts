import { defaultFieldResolver, type GraphQLSchema, isInterfaceType, isObjectType } from 'graphql';
import { accessError } from './accessError.js';
import { type AccessRules, checkAccess } from './accessRules.js';
import type { Caller } from './caller.js';

/**
 * Checks every field with a rule before its resolver runs (the subgraph's own enforcement, behind the
 * gateway's): a field the caller may not use fails with UNAUTHENTICATED or FORBIDDEN at its path.
 * Entity fields reached through `_entities` are checked the same way.
 */
export function enforceAccess(schema: GraphQLSchema, rules: AccessRules): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const where = `${type.name}.${field.name}`;
      const rule = rules.get(where);
      if (!rule) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { caller: Caller }, info) => {
        const denial = checkAccess(rule, context.caller);
        if (denial) throw accessError(denial, where, rule);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
