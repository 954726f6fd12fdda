import { Supergraph } from '@apollo/federation-internals';
import {
  buildASTSchema,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type InterfaceTypeDefinitionNode,
  Kind,
  type NamedTypeNode,
  type ObjectTypeDefinitionNode,
  parse,
  printSchema,
  specifiedDirectives,
  specifiedScalarTypes,
  type TypeNode,
  validateSchema,
  visit,
} from 'graphql';
import { CompositionError } from './compositionError.js';

/**
 * The partner contract: the supergraph's API schema (what clients of the gateway see: no join__ or
 * link__ machinery, no @inaccessible element, no federation directive) restricted to what is tagged
 * `@tag(name: "public")`.
 *
 * - An object or interface type is public when one of its fields is tagged, with only the tagged
 *   fields. A tag on the type itself brings no field: an entity's fields come from several subgraphs,
 *   and a new one (say `User.email`) must never become public because its type once was. Query and
 *   Mutation follow the same rule.
 * - Input objects, enums, scalars and unions are public when the type is tagged, with all their
 *   fields, values or members. The built-in scalars are always there.
 * - A public field may only return public types and take arguments of public types, a public input
 *   object's fields must be of public types and a public union's members must be public: otherwise a
 *   CompositionError names every field or member and the type it reaches.
 *
 * Nothing tagged at all gives an empty contract (''); tags without any public Query field fail.
 * Printed with graphql's printSchema: plain GraphQL, descriptions kept.
 */
export function buildPublicContract(supergraphSdl: string): string {
  const supergraph = parse(supergraphSdl);
  const tagged = publicCoordinates(supergraph);
  if (tagged.size === 0) return '';
  const api = apiDocumentOf(supergraphSdl);

  const errors: string[] = [];
  const types = new Map<string, DefinitionNode>();
  for (const def of api.definitions) {
    if (!isTypeDefinition(def)) continue;
    const name = def.name.value;
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      const fields = def.fields?.filter((f) => tagged.has(`${name}.${f.name.value}`));
      if (fields?.length) types.set(name, { ...def, fields });
      else if (tagged.has(name))
        errors.push(`${name} is tagged public but none of its fields is: tag the fields partners may see`);
    } else if (tagged.has(name)) {
      types.set(name, def);
    } else {
      const members = memberNames(def);
      const loose = members.find((m) => tagged.has(`${name}.${m}`));
      if (loose)
        errors.push(
          `${name}.${loose} is tagged public but ${name} is not: tag the ${kindName(def)} ${name} itself`,
        );
    }
  }

  const isPublic = (type: TypeNode) => {
    const named = namedType(type);
    return BUILT_IN_SCALARS.has(named) || types.has(named);
  };
  const notPublic = (type: TypeNode) =>
    `${namedType(type)}, which is not public (tag it @tag(name: "public"))`;
  for (const [name, def] of types) {
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const field of def.fields ?? []) {
        const coordinate = `${name}.${field.name.value}`;
        if (!isPublic(field.type))
          errors.push(`the public field ${coordinate} returns ${notPublic(field.type)}`);
        for (const arg of field.arguments ?? [])
          if (!isPublic(arg.type))
            errors.push(
              `the argument "${arg.name.value}" of the public field ${coordinate} is of type ${notPublic(arg.type)}`,
            );
      }
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      for (const field of def.fields ?? [])
        if (!isPublic(field.type))
          errors.push(
            `the field ${name}.${field.name.value} of the public input ${name} is of type ${notPublic(field.type)}`,
          );
    } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
      for (const member of def.types ?? [])
        if (!types.has(member.name.value))
          errors.push(`the public union ${name} has the member ${notPublic(member)}`);
    }
  }
  if (!types.has(QUERY)) errors.push('no Query field is tagged public: a GraphQL schema needs one');
  if (errors.length)
    throw new CompositionError(
      `The public contract is invalid (${errors.length} error(s)):\n${errors.map((e) => `  ${e}`).join('\n')}`,
    );

  const definitions = [...types.values()].map((def) =>
    def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION
      ? withPublicInterfaces(def, types)
      : def,
  );
  const schemaDefinition = api.definitions.find((d) => d.kind === Kind.SCHEMA_DEFINITION);
  if (schemaDefinition) {
    const operationTypes = schemaDefinition.operationTypes.filter((o) => types.has(o.type.name.value));
    definitions.unshift({ ...schemaDefinition, operationTypes });
  }
  const contract = buildASTSchema({ kind: Kind.DOCUMENT, definitions }, { assumeValid: true });
  const invalid = validateSchema(contract);
  if (invalid.length)
    throw new CompositionError(
      `The public contract is not a valid schema:\n${invalid.map((e) => `  ${e.message}`).join('\n')}`,
    );
  return `${printSchema(contract)}\n`;
}

const QUERY = 'Query';
const BUILT_IN_SCALARS = new Set(specifiedScalarTypes.map((t) => t.name));
const TAG_SPEC = 'https://specs.apollo.dev/tag/';
const STANDARD_DIRECTIVES = new Set(specifiedDirectives.map((d) => d.name));

/**
 * The API schema as a document without directives but the standard ones (@deprecated, ...). Built by
 * Apollo's own code; the security features (@authenticated, ...) need no support to be left out.
 */
function apiDocumentOf(supergraphSdl: string): DocumentNode {
  let document: DocumentNode;
  try {
    document = Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toAST();
  } catch (err) {
    throw new CompositionError(`the supergraph has no valid API schema: ${(err as Error).message}`);
  }
  return visit(document, {
    DirectiveDefinition: () => null,
    Directive: (node) => (STANDARD_DIRECTIVES.has(node.name.value) ? undefined : null),
  });
}

/** 'Type', 'Type.field', 'Enum.VALUE' tagged public in the supergraph (the tag directive as it is linked). */
function publicCoordinates(supergraph: DocumentNode): Set<string> {
  const tag = tagDirectiveName(supergraph);
  const isPublicTag = (d: ConstDirectiveNode) =>
    d.name.value === tag &&
    d.arguments?.some(
      (a) => a.name.value === 'name' && a.value.kind === Kind.STRING && a.value.value === 'public',
    );
  const tagged = new Set<string>();
  for (const def of supergraph.definitions) {
    if (!isTypeDefinition(def)) continue;
    const name = def.name.value;
    if (def.directives?.some(isPublicTag)) tagged.add(name);
    const members: readonly { name: { value: string }; directives?: readonly ConstDirectiveNode[] }[] =
      def.kind === Kind.ENUM_TYPE_DEFINITION
        ? (def.values ?? [])
        : 'fields' in def
          ? ((def.fields as readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined) ?? [])
          : [];
    for (const m of members) if (m.directives?.some(isPublicTag)) tagged.add(`${name}.${m.name.value}`);
  }
  return tagged;
}

function tagDirectiveName(supergraph: DocumentNode): string {
  for (const def of supergraph.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      const args = new Map(link.arguments?.map((a) => [a.name.value, a.value]));
      const url = args.get('url');
      if (link.name.value !== 'link' || url?.kind !== Kind.STRING || !url.value.startsWith(TAG_SPEC))
        continue;
      const as = args.get('as');
      return as?.kind === Kind.STRING ? as.value : 'tag';
    }
  }
  return 'tag';
}

type TypeDefinition = Extract<DefinitionNode, { kind: (typeof TYPE_KINDS)[number] }>;
const TYPE_KINDS = [
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
] as const;
const isTypeDefinition = (def: DefinitionNode): def is TypeDefinition =>
  (TYPE_KINDS as readonly string[]).includes(def.kind);

function memberNames(def: TypeDefinition): string[] {
  if (def.kind === Kind.ENUM_TYPE_DEFINITION) return (def.values ?? []).map((v) => v.name.value);
  if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) return (def.fields ?? []).map((f) => f.name.value);
  return [];
}

function kindName(def: TypeDefinition): string {
  if (def.kind === Kind.ENUM_TYPE_DEFINITION) return 'enum';
  if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) return 'input';
  return 'type';
}

const namedType = (type: TypeNode): string =>
  type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);

/** A public type implements only the public interfaces (a non-public one is not in the contract). */
function withPublicInterfaces<T extends ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode>(
  def: T,
  types: Map<string, DefinitionNode>,
): T {
  const interfaces: NamedTypeNode[] | undefined = def.interfaces?.filter((i) => types.has(i.name.value));
  return { ...def, interfaces };
}

/** What `npm run compose` writes to schema/public.graphql: the contract, or a note while it is empty. */
export function publicSchemaFileText(supergraphSdl: string): string {
  return (
    buildPublicContract(supergraphSdl) ||
    '# The public contract is empty: nothing is tagged @tag(name: "public") in the subgraphs yet.\n'
  );
}
