import { describe, expect, it } from 'vitest';
import { forApolloGateway, subgraphUrlOf } from '../src/supergraph.js';

const SDL = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
{
  query: Query
}

enum join__Graph {
  ADS @join__graph(name: "ads", url: "http://localhost:4004/graphql")
  USERS @join__graph(name: "users", url: "http://localhost:4001/graphql")
}
`;

describe('the supergraph given to ApolloGateway', () => {
  it('drops for: SECURITY from the three access links only', () => {
    const out = forApolloGateway(SDL);
    expect(out).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1")');
    expect(out).toContain('@link(url: "https://specs.apollo.dev/policy/v0.1")');
    expect(out).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")');
    expect(out).toContain('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)');
    expect(out).toContain('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)');
    expect(out.match(/for: SECURITY/g)).toHaveLength(1);
  });

  it('reads a subgraph URL from join__Graph', () => {
    expect(subgraphUrlOf(SDL, 'users')).toBe('http://localhost:4001/graphql');
    expect(subgraphUrlOf(SDL, 'feedback')).toBeUndefined();
  });
});
