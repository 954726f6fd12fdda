import {
  type AccessDenial,
  type AccessRules,
  type Caller,
  checkAccess,
  type FieldRule,
} from '@attention-mesh/platform';
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** A field of the operation the caller may not use. */
export interface DeniedField {
  /** `Type.field` whose rule denies (an implementation's, for a field selected on an interface). */
  coordinate: string;
  rule: FieldRule;
  denial: AccessDenial;
  /** A root field of a mutation or subscription: the whole operation is refused. */
  root: boolean;
  responseKey: string;
}

/** The denial for one field of `parent`; on an interface, any implementation's rule counts. */
function denialOf(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  field: string,
  rules: AccessRules,
  caller: Caller,
): Omit<DeniedField, 'root' | 'responseKey'> | undefined {
  const types = isInterfaceType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
  for (const type of types) {
    const coordinate = `${type.name}.${field}`;
    const rule = rules.get(coordinate);
    const denial = checkAccess(rule, caller);
    if (rule && denial) return { coordinate, rule, denial };
  }
  return undefined;
}

/**
 * The fields of a document (fragments included) that the caller may not use under the schema's
 * rules, by their node. A denied field's selections are not looked into: it is not resolved at all.
 */
export function deniedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  rules: AccessRules,
  caller: Caller,
): Map<FieldNode, DeniedField> {
  const denied = new Map<FieldNode, DeniedField>();
  if (rules.size === 0) return denied;
  const roots = new Set([schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD](node) {
        const parent = typeInfo.getParentType();
        if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
        const found = denialOf(schema, parent, node.name.value, rules, caller);
        if (!found) return undefined;
        denied.set(node, {
          ...found,
          root: isObjectType(parent) && roots.has(parent),
          responseKey: node.alias?.value ?? node.name.value,
        });
        return false;
      },
    }),
  );
  return denied;
}

/** What the rules depend on about a caller: callers of one kind get the same denials. */
export function callerKind(caller: Caller): string {
  const flags = [caller.userId, caller.advertiserId, caller.partnerId].map((v) => (v === undefined ? 0 : 1));
  return `${flags.join('')}|${[...caller.scopes].sort().join(' ')}`;
}
