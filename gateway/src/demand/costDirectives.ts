import {
  type ConstDirectiveNode,
  type DocumentNode,
  Kind,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';

/** `@listSize` of a field (the IBM GraphQL cost specification, as federation v2.9 carries it). */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
  requireOneSlicingArgument: boolean;
}

/** The supergraph's `@cost` and `@listSize`, by schema coordinate. */
export interface CostDirectives {
  /** `Type` (object, scalar, enum, input) → weight. */
  types: Map<string, number>;
  /** `Type.field` (object, interface or input field) → weight. */
  fields: Map<string, number>;
  /** `Type.field(argument:)` → weight. */
  arguments: Map<string, number>;
  /** `Type.field` → list size. */
  listSizes: Map<string, ListSize>;
}

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/** The names `@cost` and `@listSize` go by in this supergraph (its `@link` of the cost spec). */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } {
  for (const d of document.definitions) {
    if (d.kind !== Kind.SCHEMA_DEFINITION && d.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of d.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = Object.fromEntries(
        (link.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
      ) as { url?: string; as?: string; import?: unknown[] };
      if (!args.url?.startsWith(COST_SPEC)) continue;
      const prefix = args.as ?? 'cost';
      const names = { cost: prefix, listSize: `${prefix}__listSize` };
      for (const entry of args.import ?? []) {
        const { name, as } =
          typeof entry === 'string' ? { name: entry, as: entry } : (entry as { name: string; as?: string });
        if (name === '@listSize') names.listSize = (as ?? name).replace(/^@/, '');
        if (name === '@cost') names.cost = (as ?? name).replace(/^@/, '');
      }
      return names;
    }
  }
  return { cost: 'cost', listSize: 'listSize' };
}

const argumentsOf = (d: ConstDirectiveNode) =>
  Object.fromEntries(
    (d.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value as ValueNode)]),
  );

/** Reads `@cost` (on types, fields, arguments, input fields) and `@listSize` from a supergraph SDL. */
export function readCostDirectives(supergraph: DocumentNode): CostDirectives {
  const names = directiveNames(supergraph);
  const out: CostDirectives = {
    types: new Map(),
    fields: new Map(),
    arguments: new Map(),
    listSizes: new Map(),
  };
  const weight = (directives: readonly ConstDirectiveNode[] | undefined): number | undefined => {
    const d = directives?.find((x) => x.name.value === names.cost);
    const w = d ? Number(argumentsOf(d).weight) : Number.NaN;
    return Number.isFinite(w) ? w : undefined;
  };
  for (const def of supergraph.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const typeName = def.name.value;
    if (
      def.kind === Kind.OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.OBJECT_TYPE_EXTENSION ||
      def.kind === Kind.SCALAR_TYPE_DEFINITION ||
      def.kind === Kind.ENUM_TYPE_DEFINITION ||
      def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION
    ) {
      const w = weight(def.directives);
      if (w !== undefined) out.types.set(typeName, w);
    }
    if (!('fields' in def) || !def.fields) continue;
    for (const field of def.fields) {
      const coordinate = `${typeName}.${field.name.value}`;
      const w = weight(field.directives);
      if (w !== undefined) out.fields.set(coordinate, w);
      const ls = field.directives?.find((x) => x.name.value === names.listSize);
      if (ls) {
        const a = argumentsOf(ls) as Partial<ListSize>;
        out.listSizes.set(coordinate, {
          ...(typeof a.assumedSize === 'number' ? { assumedSize: a.assumedSize } : {}),
          ...(Array.isArray(a.slicingArguments) ? { slicingArguments: a.slicingArguments } : {}),
          ...(Array.isArray(a.sizedFields) ? { sizedFields: a.sizedFields } : {}),
          requireOneSlicingArgument: a.requireOneSlicingArgument !== false,
        });
      }
      for (const arg of 'arguments' in field ? (field.arguments ?? []) : []) {
        const aw = weight(arg.directives);
        if (aw !== undefined) out.arguments.set(`${coordinate}(${arg.name.value}:)`, aw);
      }
    }
  }
  return out;
}
