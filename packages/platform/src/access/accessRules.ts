import {
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  Kind,
  type TypeNode,
  valueFromASTUntyped,
} from 'graphql';
import { type Caller, isAuthenticated } from './caller.js';
import { isPolicyName, POLICIES } from './policies.js';

/**
 * What a field asks of its caller: the Federation 2 directives `@authenticated`,
 * `@requiresScopes(scopes: [[...]])` and `@policy(policies: [[...]])`, each a list of alternatives whose
 * members must all hold (OR of ANDs), and all present directives must pass.
 */
export interface FieldRule {
  authenticated: boolean;
  scopes?: string[][];
  policies?: string[][];
}

/** Rules by `Type.field`; fields without any requirement are not listed. */
export type AccessRules = ReadonlyMap<string, FieldRule>;

export type AccessDenial = 'UNAUTHENTICATED' | 'FORBIDDEN';

const ACCESS_DIRECTIVES = new Set(['authenticated', 'requiresScopes', 'policy']);

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function listOfLists(d: ConstDirectiveNode | DirectiveNode, arg: string): string[][] {
  const value = d.arguments?.find((a) => a.name.value === arg)?.value;
  const parsed = value ? (valueFromASTUntyped(value) as unknown) : undefined;
  if (!Array.isArray(parsed) || !parsed.every((set) => Array.isArray(set)))
    throw new Error(`@${d.name.value} needs ${arg}: [[String!]!]!`);
  return (parsed as unknown[][]).map((set) => set.map(String));
}

/** Adds one node's access directives to a rule (a type's and its field's both apply). */
function addDirectives(
  rule: FieldRule,
  directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined,
  where: string,
) {
  for (const d of directives ?? []) {
    if (!ACCESS_DIRECTIVES.has(d.name.value)) continue;
    if (d.name.value === 'authenticated') rule.authenticated = true;
    if (d.name.value === 'requiresScopes')
      rule.scopes = [...(rule.scopes ?? []), ...listOfLists(d, 'scopes')];
    if (d.name.value === 'policy') {
      const policies = listOfLists(d, 'policies');
      const unknown = policies.flat().filter((p) => !isPolicyName(p));
      if (unknown.length)
        throw new Error(
          `${where}: unknown @policy ${unknown.join(', ')} (known: ${Object.keys(POLICIES).join(', ')})`,
        );
      rule.policies = [...(rule.policies ?? []), ...policies];
    }
  }
}

/**
 * Reads the access rules of a schema document (a subgraph's SDL or the composed supergraph). A
 * directive on an object type, interface, scalar or enum applies to every field returning that type,
 * as in Apollo Router. An unknown policy name fails here, at boot or composition, not at request time.
 */
export function readAccessRules(document: DocumentNode): AccessRules {
  const typeRules = new Map<string, FieldRule>();
  const fields: { type: string; field: FieldDefinitionNode }[] = [];
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const name = def.name.value;
    const own: FieldRule = { authenticated: false };
    addDirectives(own, def.directives, name);
    if (own.authenticated || own.scopes || own.policies) {
      const prev = typeRules.get(name) ?? { authenticated: false };
      typeRules.set(name, merge(prev, own));
    }
    if (
      'fields' in def &&
      def.fields &&
      (def.kind === Kind.OBJECT_TYPE_DEFINITION ||
        def.kind === Kind.OBJECT_TYPE_EXTENSION ||
        def.kind === Kind.INTERFACE_TYPE_DEFINITION ||
        def.kind === Kind.INTERFACE_TYPE_EXTENSION)
    ) {
      for (const field of def.fields as readonly FieldDefinitionNode[]) fields.push({ type: name, field });
    }
  }
  const rules = new Map<string, FieldRule>();
  for (const { type, field } of fields) {
    const where = `${type}.${field.name.value}`;
    const rule: FieldRule = { authenticated: false };
    addDirectives(rule, field.directives, where);
    // The returned type's rule, and the rule of the type the field belongs to (a subgraph's
    // `_entities` reaches fields without going through a field that returns the type).
    let combined = rule;
    for (const t of [namedType(field.type), type]) {
      const typeRule = typeRules.get(t);
      if (typeRule) combined = merge(combined, typeRule);
    }
    if (combined.authenticated || combined.scopes || combined.policies)
      rules.set(where, merge(rules.get(where) ?? { authenticated: false }, combined));
  }
  return rules;
}

/** Both rules must hold: alternatives of the same directive are not widened by a second declaration. */
function merge(a: FieldRule, b: FieldRule): FieldRule {
  const both = (x?: string[][], y?: string[][]) =>
    x && y ? x.flatMap((xs) => y.map((ys) => [...new Set([...xs, ...ys])])) : (x ?? y);
  const out: FieldRule = { authenticated: a.authenticated || b.authenticated };
  const scopes = both(a.scopes, b.scopes);
  const policies = both(a.policies, b.policies);
  if (scopes) out.scopes = scopes;
  if (policies) out.policies = policies;
  return out;
}

/** Whether a caller passes a rule; the denial says why not (no identity at all, or not enough). */
export function checkAccess(rule: FieldRule | undefined, caller: Caller): AccessDenial | undefined {
  if (!rule) return undefined;
  if (!isAuthenticated(caller)) return 'UNAUTHENTICATED';
  if (rule.scopes && !rule.scopes.some((set) => set.every((s) => caller.scopes.includes(s))))
    return 'FORBIDDEN';
  if (rule.policies && !rule.policies.some((set) => set.every((p) => isPolicyName(p) && POLICIES[p](caller))))
    return 'FORBIDDEN';
  return undefined;
}

/** How a rule reads in an error message: `scope admin`, `policy self or policy admin`. */
export function describeRule(rule: FieldRule): string {
  const parts: string[] = [];
  if (rule.scopes) parts.push(rule.scopes.map((s) => s.map((x) => `scope ${x}`).join(' and ')).join(' or '));
  if (rule.policies)
    parts.push(rule.policies.map((s) => s.map((x) => `policy ${x}`).join(' and ')).join(' or '));
  return parts.length ? parts.join('; ') : 'a signed-in caller';
}
