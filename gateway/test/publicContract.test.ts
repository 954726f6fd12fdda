import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPublicContract } from '../src/access/publicContract.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-contract-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('the partner contract file', () => {
  it('is a schema when it has a Query type', () => {
    const contract = loadPublicContract(file('ok.graphql', 'type Query { greeting: String }'));
    expect('schema' in contract && contract.schema.getQueryType()?.name).toBe('Query');
  });

  it('is a problem, not a crash, when missing, empty or broken', () => {
    expect(loadPublicContract(join(dir, 'missing.graphql'))).toEqual({
      problem: expect.stringMatching(/does not exist/),
    });
    const empty = file('empty.graphql', '# The public contract is empty\n');
    expect(loadPublicContract(empty)).toEqual({ problem: expect.stringMatching(/is empty/) });
    const noQuery = file('no-query.graphql', 'type Item { id: ID! }');
    expect(loadPublicContract(noQuery)).toEqual({ problem: expect.stringMatching(/Query root type/) });
    expect(loadPublicContract(file('broken.graphql', 'type Query {'))).toEqual({
      problem: expect.stringMatching(/invalid/),
    });
  });
});
