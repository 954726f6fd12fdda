import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The root query fields released with differential privacy to API-key callers: each read spends the
 * partner's ε per query. The attention subgraph refuses a partner's read of one without a charged ε, so a
 * field missing here fails closed.
 */
export const PRIVATE_ROOT_FIELDS: ReadonlySet<string> = new Set(['attentionSeries', 'attentionBreakdown']);

/**
 * How many times the operation reads a differentially private root field (aliases and fragments
 * counted: each read is a release of its own). Pure.
 */
export function privateFieldCount(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  fields: ReadonlySet<string> = PRIVATE_ROOT_FIELDS,
): number {
  if (operation.operation !== 'query') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const count = (set: SelectionSetNode): number => {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += fields.has(s.name.value) ? 1 : 0;
      else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        // A fragment spread twice at the root merges into one read of its fields.
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) n += count(f.selectionSet);
      }
    }
    return n;
  };
  return count(operation.selectionSet);
}
