/**
 * Deterministic data for the lean subgraphs, generated from the schema's types: a value depends only on
 * where it sits (the entity `Type:id` it belongs to, the field and its arguments), so two subgraphs
 * resolving fields of one entity, or two gateways planning a query differently, see the same values,
 * and the three gateways of the benchmark must return identical data.
 */
import {
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

/** How many elements a generated list has (fewer when the field's `first` asks for fewer). */
const LIST_LENGTH = 3;

/** FNV-1a, 32 bits: cheap and stable across processes. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Generated {
  __seed?: string;
  __typename?: string;
  id?: unknown;
  [field: string]: unknown;
}

function scalar(name: string, field: string, seed: string): unknown {
  const h = hash(seed);
  switch (name) {
    case 'Int':
    case 'Micros':
      return h % 1000;
    case 'Float':
      return (h % 10_000) / 100;
    case 'Boolean':
      return h % 2 === 0;
    case 'ID':
      return `${field}-${h.toString(36)}`;
    case 'DateTime':
      return new Date(Date.UTC(2026, 0, 1) + (h % 31_536_000) * 1000).toISOString();
    default:
      return `${field}-${h.toString(36)}`;
  }
}

function generate(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  field: string,
  seed: string,
  first: number,
): unknown {
  if (isNonNullType(type)) return generate(schema, type.ofType, field, seed, first);
  if (isListType(type))
    return Array.from({ length: first }, (_, i) =>
      generate(schema, type.ofType, field, `${seed}[${i}]`, LIST_LENGTH),
    );
  if (isScalarType(type)) return scalar(type.name, field, seed);
  if (isEnumType(type)) {
    const values = type.getValues();
    return values[hash(seed) % values.length]!.value;
  }
  const concrete = isAbstractType(type)
    ? schema.getPossibleTypes(type)[hash(seed) % schema.getPossibleTypes(type).length]!
    : type;
  if (!isObjectType(concrete)) return null;
  const out: Generated = { __typename: concrete.name, __seed: seed };
  // An entity's fields are seeded by its id, wherever it was reached from.
  if (concrete.getFields().id) out.id = `${concrete.name.toLowerCase()}-${hash(seed).toString(36)}`;
  return out;
}

/**
 * The resolver of every field without one of its own (`_entities` and `_service` keep theirs): the
 * value the parent already holds (an entity reference's key), else one generated for the field's type.
 */
export function leanFieldResolver(schema: GraphQLSchema): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, _context, info) => {
    const parent = (source ?? {}) as Generated;
    const own = parent[info.fieldName];
    if (own !== undefined) return own;
    const base =
      parent.id !== undefined ? `${info.parentType.name}:${String(parent.id)}` : (parent.__seed ?? 'root');
    const argsKey = Object.keys(args).length ? JSON.stringify(args) : '';
    const requested = typeof args.first === 'number' ? args.first : LIST_LENGTH;
    return generate(
      schema,
      info.returnType,
      info.fieldName,
      `${base}.${info.fieldName}${argsKey}`,
      Math.max(0, Math.min(LIST_LENGTH, requested)),
    );
  };
}

/** Abstract types (other than federation's `_Entity`) resolve to the `__typename` generated for them. */
export function resolveGeneratedTypes(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type) && type.name !== '_Entity')
      type.resolveType = (value) => (value as Generated).__typename;
  }
}
