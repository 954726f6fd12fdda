import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isCompositeType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import type { CostDirectives } from './costDirectives.js';
import { fieldOf, fieldWeight } from './fieldWeight.js';
import { included, withDefaults } from './included.js';

export interface ActualCostInput {
  schema: GraphQLSchema;
  directives: CostDirectives;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  /** The response's `data`. */
  data: unknown;
}

interface Collected {
  nodes: FieldNode[];
  /** The type the field was selected on (a fragment's type condition or the parent). */
  type: GraphQLCompositeType;
}

/** One returned field of an object, prepared once per selection, parent and runtime type. */
interface Priced {
  key: string;
  weight: number;
  /** The merged selection sets below the field, when it returns objects. */
  children: readonly SelectionSetNode[] | undefined;
  named: GraphQLCompositeType | undefined;
}

type Prepared = WeakMap<readonly SelectionSetNode[], Map<string, Priced[]>>;
const preparedByDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; prepared: Prepared }>();
const rootSets = new WeakMap<OperationDefinitionNode, readonly SelectionSetNode[]>();
const withoutConditions = new WeakMap<DocumentNode, boolean>();

/** Whether a document has no @skip / @include (so what it selects does not depend on variables). */
function variableFree(document: DocumentNode): boolean {
  let free = withoutConditions.get(document);
  if (free === undefined) {
    free = true;
    visit(document, {
      Directive(node) {
        if (node.name.value === 'skip' || node.name.value === 'include') free = false;
      },
    });
    withoutConditions.set(document, free);
  }
  return free;
}

function preparedOf(document: DocumentNode, schema: GraphQLSchema): Prepared {
  const entry = preparedByDocument.get(document);
  if (entry && entry.schema === schema) return entry.prepared;
  const prepared: Prepared = new WeakMap();
  preparedByDocument.set(document, { schema, prepared });
  return prepared;
}

/**
 * The cost of what an operation actually returned: the weights of `estimateCost` applied to the
 * response data, each object and scalar counted as often as it came back and each list by its real
 * length (argument costs are left out; they are the estimate's alone). Linear in the response.
 */
export function actualCost(input: ActualCostInput): number {
  const { schema, directives } = input;
  const variables = withDefaults(input.operation, input.variables);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of input.document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  /** The object's fields by response key, as execution merges them (`__typename` picks fragments). */
  function collect(
    sets: readonly SelectionSetNode[],
    parent: GraphQLCompositeType,
    runtime: string | undefined,
  ): Map<string, Collected> {
    const out = new Map<string, Collected>();
    const seen = new Set<string>();
    const applies = (condition: string | undefined) => {
      if (!condition || condition === parent.name || condition === runtime) return true;
      const type = schema.getType(condition);
      if (!type || !isCompositeType(type)) return false;
      const concrete = runtime ? schema.getType(runtime) : undefined;
      if (concrete && isAbstractType(type) && 'getInterfaces' in concrete)
        return schema.isSubType(type, concrete as Parameters<GraphQLSchema['isSubType']>[1]);
      return !runtime;
    };
    const visit = (set: SelectionSetNode, type: GraphQLCompositeType) => {
      for (const s of set.selections) {
        if (!included(s, variables)) continue;
        if (s.kind === Kind.FIELD) {
          const key = s.alias?.value ?? s.name.value;
          const entry = out.get(key);
          if (entry) entry.nodes.push(s);
          else out.set(key, { nodes: [s], type });
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          const condition = s.typeCondition?.name.value;
          const t = condition ? schema.getType(condition) : type;
          if (applies(condition) && t && isCompositeType(t)) visit(s.selectionSet, t);
        } else {
          const def = fragments.get(s.name.value);
          const t = def && schema.getType(def.typeCondition.name.value);
          if (!def || seen.has(def.name.value) || !t || !isCompositeType(t)) continue;
          if (!applies(def.typeCondition.name.value)) continue;
          seen.add(def.name.value);
          visit(def.selectionSet, t);
        }
      }
    };
    for (const set of sets) visit(set, parent);
    return out;
  }

  // Every object of a list shares its selection: its fields are collected and weighed once per
  // (selection sets, parent, runtime type), not once per object; for a document without @skip or
  // @include the result does not depend on the variables and is kept for the next request too.
  const prepared = variableFree(input.document) ? preparedOf(input.document, schema) : new WeakMap();

  function priced(
    sets: readonly SelectionSetNode[],
    parent: GraphQLCompositeType,
    runtime: string | undefined,
  ): Priced[] {
    let byType = prepared.get(sets);
    if (!byType) {
      byType = new Map();
      prepared.set(sets, byType);
    }
    const typeKey = runtime === undefined ? parent.name : `${parent.name}|${runtime}`;
    const cached = byType.get(typeKey);
    if (cached) return cached;
    const concrete = runtime ? schema.getType(runtime) : undefined;
    const out: Priced[] = [];
    for (const [key, { nodes, type }] of collect(sets, parent, runtime)) {
      const first = nodes[0] as FieldNode;
      if (first.name.value.startsWith('__')) continue;
      const owner =
        concrete && isCompositeType(concrete) && fieldOf(concrete, first.name.value) ? concrete : type;
      const def = fieldOf(owner, first.name.value);
      if (!def) continue;
      const named = getNamedType(def.type);
      const children = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      out.push({
        key,
        weight: fieldWeight(schema, directives, owner, def),
        children: children.length && isCompositeType(named) ? children : undefined,
        named: isCompositeType(named) ? named : undefined,
      });
    }
    byType.set(typeKey, out);
    return out;
  }

  function objectCost(
    sets: readonly SelectionSetNode[],
    parent: GraphQLCompositeType,
    value: unknown,
  ): number {
    if (value === null || typeof value !== 'object') return 0;
    const obj = value as Record<string, unknown>;
    const runtime = typeof obj.__typename === 'string' ? obj.__typename : undefined;
    let cost = 0;
    for (const { key, weight, children, named } of priced(sets, parent, runtime)) {
      const instance = (v: unknown): number => {
        if (v === null || v === undefined) return 0;
        if (Array.isArray(v)) {
          let sum = 0;
          for (const item of v) sum += instance(item);
          return sum;
        }
        return weight + (children && named ? objectCost(children, named, v) : 0);
      };
      cost += instance(obj[key]);
    }
    return cost;
  }

  const root = schema.getRootType(input.operation.operation);
  let sets = rootSets.get(input.operation);
  if (!sets) {
    sets = [input.operation.selectionSet];
    rootSets.set(input.operation, sets);
  }
  return root ? objectCost(sets, root, input.data) : 0;
}
