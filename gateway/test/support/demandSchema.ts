/**
 * A subgraph for the demand-control tests: federation v2.9 with `@cost` and `@listSize` (as the mesh's
 * subgraphs use them), and the same SDL without them for the stand-in subgraph and plain graphql-js.
 */
export const DEMAND_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
type Query {
  campaign(id: ID!): Campaign
  campaigns(first: Int = 10): [Campaign!]! @listSize(slicingArguments: ["first"])
  feedback(first: Int, last: Int): FeedbackConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"])
  tags: [String!]!
  heavy: Int @cost(weight: 50)
  search(text: String @cost(weight: 20), filter: Filter): [Campaign!]! @listSize(assumedSize: 5)
}
type Mutation { pause(id: ID!): Campaign }
input Filter { name: String @cost(weight: 7) }
type Campaign @key(fields: "id") { id: ID! name: String! advertiser: Advertiser! budget: Money! }
type Money @cost(weight: 2) { micros: Int! }
type Advertiser { id: ID! campaigns: [Campaign!]! @listSize(assumedSize: 3) }
type FeedbackConnection { edges: [FeedbackEdge!]! total: Int! }
type FeedbackEdge { node: Feedback! }
type Feedback { id: ID! text: String! }
`;

/** DEMAND_SDL without federation: what the stand-in subgraph serves. */
export const DEMAND_PLAIN = DEMAND_SDL.replace(/^extend schema.*$/m, '').replace(/\s@\w+(\([^)]*\))?/g, '');
