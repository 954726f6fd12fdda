import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

const hasTypename = (set: SelectionSetNode) =>
  set.selections.some((s) => s.kind === Kind.FIELD && !s.alias && s.name.value === '__typename');

/** The fragments an operation reaches, transitively. */
function usedFragments(document: DocumentNode): Set<string> {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) byName.set(d.name.value, d);
  const used = new Set<string>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      [Kind.FRAGMENT_SPREAD](spread) {
        const name = spread.name.value;
        const def = byName.get(name);
        if (used.has(name) || !def) return;
        used.add(name);
        walk(def);
      },
    });
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) walk(d);
  return used;
}

/**
 * A copy of the document without the given fields, with `__typename` in every selection set (so
 * none is left empty and abstract types resolve when the answer is read again) and without the
 * fragments no operation reaches any more.
 */
export function withoutFields(document: DocumentNode, remove: ReadonlySet<FieldNode>): DocumentNode {
  const stripped = visit(document, {
    [Kind.FIELD]: (node) => (remove.has(node) ? null : undefined),
    [Kind.SELECTION_SET]: {
      leave: (set) => (hasTypename(set) ? undefined : { ...set, selections: [...set.selections, TYPENAME] }),
    },
  });
  const used = usedFragments(stripped);
  return {
    ...stripped,
    definitions: stripped.definitions.filter(
      (d) => d.kind !== Kind.FRAGMENT_DEFINITION || used.has(d.name.value),
    ),
  };
}

/** Whether an operation still asks for anything beyond `__typename` at its root. */
export function asksForData(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some(
    (s) => s.kind !== Kind.FIELD || s.name.value !== '__typename',
  );
}
