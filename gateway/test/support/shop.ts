import { ErrorCode, meshError } from '@attention-mesh/platform';

/** A small supergraph with each kind of rule, over a stand-in subgraph that counts its requests. */
export const SHOP = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@authenticated", "@requiresScopes", "@policy", "@tag"])

type Query {
  items: [Item]
  item(id: ID!): Item!
  secret: String @requiresScopes(scopes: [["admin"]])
  me: Person @policy(policies: [["self"]]) @tag(name: "public")
  greeting: String @tag(name: "public")
  flaky: String
}

type Item @key(fields: "id") {
  id: ID! @tag(name: "public")
  title: String! @tag(name: "public")
  stats: Stats @requiresScopes(scopes: [["analytics:read"], ["admin"]])
  cost: Int! @requiresScopes(scopes: [["admin"]])
}

type Stats { views: Int! }

type Person @key(fields: "id") {
  id: ID! @tag(name: "public")
  email: String @policy(policies: [["self"], ["admin"]])
}

type Mutation {
  createItem(title: String!): Item! @requiresScopes(scopes: [["admin"]])
  like(id: ID!): Item @authenticated @tag(name: "public")
}
`;

/** The same types for the stand-in (plain GraphQL, no federation). */
export const SHOP_PLAIN = `
type Query { items: [Item] item(id: ID!): Item! secret: String me: Person greeting: String flaky: String }
type Item { id: ID! title: String! stats: Stats cost: Int! }
type Stats { views: Int! }
type Person { id: ID! email: String }
type Mutation { createItem(title: String!): Item! like(id: ID!): Item }
`;

export const PUBLIC = `
type Query { me: Person greeting: String }
type Person { id: ID! }
type Item { id: ID! title: String! }
type Mutation { like(id: ID!): Item }
`;

const ITEMS = [
  { id: 'a', title: 'A', stats: { views: 1 }, cost: 10 },
  { id: 'b', title: 'B', stats: { views: 2 }, cost: 20 },
];

/** The stand-in's answers; `me` is the signed-in person, `flaky` always fails with NOT_FOUND. */
export const shopRoot = () => ({
  items: ITEMS,
  item: ({ id }: { id: string }) => ITEMS.find((i) => i.id === id),
  secret: 'psst',
  me: (_: unknown, { caller }: { caller: { userId?: string } }) =>
    caller.userId ? { id: caller.userId, email: `${caller.userId}@example.com` } : null,
  greeting: 'hello',
  flaky: () => {
    throw meshError(ErrorCode.NOT_FOUND, 'flaky is gone');
  },
  createItem: ({ title }: { title: string }) => ({ id: 'new', title, cost: 1 }),
  like: ({ id }: { id: string }) => ITEMS.find((i) => i.id === id),
});
