import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  Lexer,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Source,
  TokenKind,
} from 'graphql';

/** The shape of one operation, fragments expanded, as the demand limits read it. */
export interface OperationShape {
  /** The deepest field nesting (a root field is depth 1); introspection (`__schema`, `__type`) left out. */
  depth: number;
  /** Fields with an alias. */
  aliases: number;
  /** Fields at the operation's root (`__typename` included). */
  rootFields: number;
  /** Directive uses, on the operation and on every selection. */
  directives: number;
}

interface Counts {
  depth: number;
  aliases: number;
  fields: number;
  directives: number;
}

const INTROSPECTION = new Set(['__schema', '__type']);

/**
 * Measures an operation in one pass over the document: each fragment is measured once and its
 * counts reused wherever it is spread (so the work is linear in the document, while the counts are
 * those of the expanded operation). A fragment cycle (a validation error) counts as depth 0 there.
 */
export function measureOperation(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Counts>();
  const visiting = new Set<string>();

  const fragment = (name: string): Counts => {
    const cached = memo.get(name);
    if (cached) return cached;
    const def = fragments.get(name);
    if (!def || visiting.has(name)) return { depth: 0, aliases: 0, fields: 0, directives: 0 };
    visiting.add(name);
    const counts = selectionSet(def.selectionSet);
    visiting.delete(name);
    memo.set(name, counts);
    return counts;
  };

  // `fields` counts the selections at this level only (for root fields); the rest are totals.
  function selectionSet(set: SelectionSetNode): Counts {
    const out: Counts = { depth: 0, aliases: 0, fields: 0, directives: 0 };
    for (const s of set.selections) {
      out.directives += s.directives?.length ?? 0;
      if (s.kind === Kind.FIELD) {
        out.fields += 1;
        if (s.alias) out.aliases += 1;
        const inner = s.selectionSet ? selectionSet(s.selectionSet) : undefined;
        if (inner) {
          out.aliases += inner.aliases;
          out.directives += inner.directives;
        }
        if (!INTROSPECTION.has(s.name.value)) out.depth = Math.max(out.depth, 1 + (inner?.depth ?? 0));
      } else {
        const inner = s.kind === Kind.FRAGMENT_SPREAD ? fragment(s.name.value) : selectionSet(s.selectionSet);
        out.fields += inner.fields;
        out.aliases += inner.aliases;
        out.directives += inner.directives;
        out.depth = Math.max(out.depth, inner.depth);
      }
    }
    return out;
  }

  const root = selectionSet(operation.selectionSet);
  return {
    depth: root.depth,
    aliases: root.aliases,
    rootFields: root.fields,
    directives: root.directives + (operation.directives?.length ?? 0),
  };
}

/**
 * The tokens of a query text, counted with graphql-js's lexer up to `stop` (the count of a text the
 * parser refused for having too many); a syntax error ends the count where it is.
 */
export function countTokens(source: string, stop = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let n = 0;
  try {
    while (n < stop && lexer.advance().kind !== TokenKind.EOF) n++;
  } catch {
    // A syntax error: the tokens before it are the count.
  }
  return n;
}
