import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, isEnumType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  buildPublicContract,
  CompositionError,
  composeSupergraph,
  PUBLIC_SCHEMA_FILE,
  publicSchemaFileText,
  SUPERGRAPH_FILE,
} from '../src/index.js';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@tag", "@inaccessible", "@policy", "@requiresScopes"])';

/** Composes small hand-written subgraphs (name -> SDL without the @link) into a supergraph. */
function supergraphOf(subgraphs: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const entries = Object.entries(subgraphs).map(([name, sdl]) => {
    const schema = join(dir, `${name}.graphql`);
    writeFileSync(schema, `${LINK}\n${sdl}`);
    return { name, schema, url: `http://${name}` };
  });
  return composeSupergraph(entries);
}

const contractOf = (subgraphs: Record<string, string>) =>
  buildSchema(buildPublicContract(supergraphOf(subgraphs)));

function failureOf(subgraphs: Record<string, string>): string {
  const supergraph = supergraphOf(subgraphs);
  try {
    buildPublicContract(supergraph);
  } catch (err) {
    expect(err).toBeInstanceOf(CompositionError);
    return (err as Error).message;
  }
  throw new Error('the contract was built');
}

const fieldsOf = (schema: ReturnType<typeof buildSchema>, type: string) => {
  const t = schema.getType(type);
  if (!isObjectType(t)) throw new Error(`${type} is not an object type in the contract`);
  return Object.keys(t.getFields()).sort();
};

describe('the public contract', () => {
  it('keeps only the tagged fields, with their descriptions, and no federation machinery', () => {
    const sdl = buildPublicContract(
      supergraphOf({
        a: `
          type Query {
            "One item, for anyone."
            item(id: ID!): Item @tag(name: "public")
            mine: Item @policy(policies: [["self"]]) @tag(name: "public")
            secret: String @requiresScopes(scopes: [["admin"]])
          }
          type Item @key(fields: "id") { id: ID! @tag(name: "public") title: String @tag(name: "public") cost: Int }`,
        b: `type Item @key(fields: "id") { id: ID! internalScore: Float }`,
      }),
    );
    const schema = buildSchema(sdl);
    expect(fieldsOf(schema, 'Query')).toEqual(['item', 'mine']);
    expect(fieldsOf(schema, 'Item')).toEqual(['id', 'title']);
    expect(schema.getQueryType()?.getFields().item?.description).toBe('One item, for anyone.');
    expect(sdl).not.toMatch(/join__|link__|@tag|@key|@policy|@requiresScopes|directive/);
  });

  it('never makes a field public through its type: only tagged fields, whatever subgraph adds one', () => {
    const schema = contractOf({
      a: `
        type Query { items: [Item!]! @tag(name: "public") }
        type Item @key(fields: "id") @tag(name: "public") { id: ID! @tag(name: "public") kind: Kind! @tag(name: "public") }
        enum Kind @tag(name: "public") { ARTICLE VIDEO }`,
      b: `type Item @key(fields: "id") { id: ID! score: Float }`,
    });
    expect(fieldsOf(schema, 'Item')).toEqual(['id', 'kind']);
    const kind = schema.getType('Kind');
    expect(isEnumType(kind) && kind.getValues().map((v) => v.name)).toEqual(['ARTICLE', 'VIDEO']);
    expect(
      failureOf({
        a: `
          type Query { me: User @tag(name: "public") }
          type User @key(fields: "id") @tag(name: "public") { id: ID! email: String }`,
      }),
    ).toMatch(/User is tagged public but none of its fields is/);
  });

  it('leaves out an @inaccessible field even when it is tagged', () => {
    const schema = contractOf({
      a: `
        type Query { item: Item @tag(name: "public") }
        type Item { id: ID! @tag(name: "public") hidden: String @inaccessible @tag(name: "public") }`,
    });
    expect(fieldsOf(schema, 'Item')).toEqual(['id']);
  });

  it('keeps Mutation with its public fields, their input objects and payloads', () => {
    const schema = contractOf({
      a: `
        type Query { ping: Boolean @tag(name: "public") }
        type Mutation {
          send(input: SendInput!): Sent! @tag(name: "public")
          purge: Boolean
        }
        input SendInput @tag(name: "public") { text: String! at: DateTime }
        scalar DateTime @tag(name: "public")
        type Sent { id: ID! @tag(name: "public") }`,
    });
    expect(fieldsOf(schema, 'Mutation')).toEqual(['send']);
    expect(Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__'))).toEqual(
      expect.arrayContaining(['SendInput', 'DateTime', 'Sent']),
    );
  });

  it('fails naming the field and the type when a public field returns a non-public type', () => {
    const message = failureOf({
      a: `
        type Query { user(id: ID!): User @tag(name: "public") }
        type User @key(fields: "id") { id: ID! email: String }`,
    });
    expect(message).toMatch(/Query\.user returns User, which is not public/);
  });

  it('fails when a public field takes, or a public input holds, a non-public type', () => {
    const message = failureOf({
      a: `
        type Query { search(filter: Filter, order: Order): Boolean @tag(name: "public") }
        input Filter @tag(name: "public") { since: DateTime }
        scalar DateTime
        enum Order { ASC DESC }`,
    });
    expect(message).toMatch(
      /"order" of the public field Query\.search is of type Order, which is not public/,
    );
    expect(message).toMatch(
      /Filter\.since of the public input Filter is of type DateTime, which is not public/,
    );
  });

  it('fails when a public union has a non-public member', () => {
    const message = failureOf({
      a: `
        type Query { result: Result @tag(name: "public") }
        union Result @tag(name: "public") = Ok | Oops
        type Ok @tag(name: "public") { ok: Boolean }
        type Oops { why: String }`,
    });
    expect(message).toMatch(/union Result has the member Oops, which is not public/);
  });

  it('is empty when nothing is tagged, and fails when tags leave Query empty', () => {
    expect(buildPublicContract(supergraphOf({ a: 'type Query { a: Int }' }))).toBe('');
    expect(failureOf({ a: 'type Query { a: Int }\ntype Mutation { b: Int @tag(name: "public") }' })).toMatch(
      /no Query field is tagged public/,
    );
  });
});

describe('the real public contract', () => {
  const supergraph = readFileSync(SUPERGRAPH_FILE, 'utf8');
  const contract = buildPublicContract(supergraph);

  it('is up to date in schema/public.graphql (run `npm run compose` when this fails)', () => {
    expect(readFileSync(PUBLIC_SCHEMA_FILE, 'utf8')).toBe(publicSchemaFileText(supergraph));
  });

  it('is plain GraphQL with no federation machinery and no private field', () => {
    expect(contract).not.toMatch(/join__|link__|_entities|_Service|@tag|@inaccessible|@policy|directive /);
    expect(contract).not.toMatch(/\bemail\b|publisherId|apiKeyIdentity/);
    if (supergraph.includes('@tag(name: "public")')) {
      const schema = buildSchema(contract);
      expect(schema.getQueryType()).toBeDefined();
    } else {
      expect(contract).toBe('');
    }
  });
});
