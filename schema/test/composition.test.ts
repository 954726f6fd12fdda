import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CompositionError,
  composeSupergraph,
  EVENTS_SCHEMA_FILE,
  EVENTS_SUBGRAPH,
  readSubgraphList,
  SUPERGRAPH_FILE,
} from '../src/index.js';

describe('the supergraph', () => {
  it('is up to date with the subgraph schemas (run `npm run compose` when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composeSupergraph());
  });

  it("lists the five subgraphs and the gateway's in-process events subgraph", () => {
    expect(readSubgraphList().map((s) => s.name)).toEqual([
      'users',
      'attention',
      'recommendation',
      'ads',
      'feedback',
      'events',
    ]);
    expect(readSubgraphList().find((s) => s.name === EVENTS_SUBGRAPH)?.schema).toBe(EVENTS_SCHEMA_FILE);
  });

  it('names the subgraphs and the field when composition fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
    writeFileSync(
      join(dir, 'a.graphql'),
      `${link}\ntype User @key(fields: "id") { id: ID! age: Int }\ntype Query { a: User }`,
    );
    writeFileSync(
      join(dir, 'b.graphql'),
      `${link}\ntype User @key(fields: "id") { id: ID! age: String }\ntype Query { b: User }`,
    );
    const entries = [
      { name: 'alpha', schema: join(dir, 'a.graphql'), url: 'http://a' },
      { name: 'beta', schema: join(dir, 'b.graphql'), url: 'http://b' },
    ];
    let message = '';
    try {
      composeSupergraph(entries);
    } catch (err) {
      expect(err).toBeInstanceOf(CompositionError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/User\.age/);
    expect(message).toMatch(/alpha/);
    expect(message).toMatch(/beta/);
  });
});
