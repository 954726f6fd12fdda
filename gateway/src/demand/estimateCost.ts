import { badUserInput } from '@attention-mesh/platform';
import {
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';
import type { CostDirectives } from './costDirectives.js';
import { fieldOf, fieldWeight } from './fieldWeight.js';
import { included, withDefaults } from './included.js';

export interface CostInput {
  /** The API schema. */
  schema: GraphQLSchema;
  directives: CostDirectives;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  /** The size assumed for a list field without `@listSize`. */
  defaultListSize: number;
}

/** Child fields (by name) whose list size a connection field's slicing argument sets. */
interface Sized {
  fields: readonly string[];
  size: number;
}

/**
 * The operation's static cost (the IBM GraphQL cost specification, as Apollo Router and Hive Gateway
 * compute it): each field instance costs its weight (see `fieldWeight`) plus its selections', times
 * the size of a list (`@listSize(assumedSize)`, the value of a `slicingArguments` argument, variables
 * resolved, or `defaultListSize`); `sizedFields` carry the slicing size to a connection's `edges`;
 * arguments and input fields add their `@cost` when given. Fields skipped by `@skip`/`@include` cost
 * nothing; fragments are costed once per spread context. Throws BAD_USER_INPUT when a field whose
 * `@listSize` requires exactly one slicing argument gets none or several.
 */
export function estimateCost(input: CostInput): number {
  const { schema, directives, defaultListSize } = input;
  const variables = withDefaults(input.operation, input.variables);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of input.document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const argumentValue = (
    def: GraphQLField<unknown, unknown>,
    node: ArgumentNode | undefined,
    name: string,
  ) => {
    const arg = def.args.find((a) => a.name === name);
    if (!arg) return undefined;
    if (node && !(node.value.kind === Kind.VARIABLE && variables[node.value.name.value] === undefined))
      return valueFromAST(node.value, arg.type, variables);
    return undefined;
  };

  function inputCost(type: GraphQLInputType, value: unknown): number {
    if (value === null || value === undefined) return 0;
    const nullable = getNullableType(type);
    if (isListType(nullable))
      return Array.isArray(value) ? value.reduce<number>((s, v) => s + inputCost(nullable.ofType, v), 0) : 0;
    if (!isInputObjectType(nullable) || typeof value !== 'object') return 0;
    let cost = 0;
    const fields = nullable.getFields();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[key];
      if (!f || v === undefined) continue;
      cost += (directives.fields.get(`${nullable.name}.${key}`) ?? 0) + inputCost(f.type, v);
    }
    return cost;
  }

  /** The slicing size of a field with slicing arguments (the largest given), checking requireOne. */
  function slicingSize(
    field: FieldNode,
    def: GraphQLField<unknown, unknown>,
    coordinate: string,
  ): number | undefined {
    const ls = directives.listSizes.get(coordinate);
    if (!ls?.slicingArguments?.length) return undefined;
    const given: number[] = [];
    for (const name of ls.slicingArguments) {
      const node = field.arguments?.find((a) => a.name.value === name);
      const v = argumentValue(def, node, name);
      if (typeof v === 'number') given.push(v);
    }
    if (given.length === 0)
      for (const name of ls.slicingArguments) {
        const v = def.args.find((a) => a.name === name)?.defaultValue;
        if (typeof v === 'number') given.push(v);
      }
    if (ls.requireOneSlicingArgument && given.length !== 1)
      throw badUserInput(
        `${coordinate} needs exactly one of its arguments ${ls.slicingArguments.join(', ')}`,
        `${coordinate}(${ls.slicingArguments[0]}:)`,
      );
    return given.length ? Math.max(0, ...given) : undefined;
  }

  function fieldCost(field: FieldNode, parent: GraphQLCompositeType, sized: Sized | undefined): number {
    const name = field.name.value;
    if (name.startsWith('__')) return 0;
    const def = fieldOf(parent, name);
    if (!def) return 0;
    const coordinate = `${parent.name}.${name}`;
    const type = getNamedType(def.type);
    let isList = false;
    for (let t = getNullableType(def.type); isListType(t); t = getNullableType(t.ofType)) isList = true;
    const ls = directives.listSizes.get(coordinate);
    const slicing = slicingSize(field, def, coordinate);
    const listSize = sized?.fields.includes(name)
      ? sized.size
      : ((ls?.sizedFields ? undefined : slicing) ?? ls?.assumedSize ?? defaultListSize);
    const childSized = ls?.sizedFields
      ? { fields: ls.sizedFields, size: slicing ?? ls.assumedSize ?? defaultListSize }
      : undefined;
    let cost = fieldWeight(schema, directives, parent, def);
    if (field.selectionSet && isCompositeType(type)) cost += setCost(field.selectionSet, type, childSized);
    if (isList || sized?.fields.includes(name)) cost *= Math.max(0, listSize);
    for (const a of field.arguments ?? []) {
      const arg = def.args.find((x) => x.name === a.name.value);
      if (!arg) continue;
      const value = argumentValue(def, a, arg.name);
      if (value === undefined) continue;
      cost += (directives.arguments.get(`${coordinate}(${arg.name}:)`) ?? 0) + inputCost(arg.type, value);
    }
    return cost;
  }

  function setCost(set: SelectionSetNode, parent: GraphQLCompositeType, sized: Sized | undefined): number {
    let cost = 0;
    for (const s of set.selections) {
      if (!included(s, variables)) continue;
      if (s.kind === Kind.FIELD) cost += fieldCost(s, parent, sized);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) cost += setCost(s.selectionSet, type, sized);
      } else {
        const key = `${s.name.value}\u0000${sized ? `${sized.fields.join(',')}:${sized.size}` : ''}`;
        let c = memo.get(key);
        if (c === undefined) {
          const def = fragments.get(s.name.value);
          const type = def && schema.getType(def.typeCondition.name.value);
          if (!def || !type || !isCompositeType(type) || visiting.has(key)) continue;
          visiting.add(key);
          c = setCost(def.selectionSet, type, sized);
          visiting.delete(key);
          memo.set(key, c);
        }
        cost += c;
      }
    }
    return cost;
  }

  const root = schema.getRootType(input.operation.operation);
  return root ? setCost(input.operation.selectionSet, root, undefined) : 0;
}
