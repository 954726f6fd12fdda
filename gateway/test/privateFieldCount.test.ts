import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { privateFieldCount } from '../src/privacy/privateFieldCount.js';

const count = (source: string) => {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return privateFieldCount(document, operation);
};

describe('privateFieldCount', () => {
  it('counts each read of a private root field, aliases and fragments included', () => {
    expect(count('{ me { id } }')).toBe(0);
    expect(count('{ attentionSeries(metric: EVENTS) { key } }')).toBe(1);
    expect(
      count(`{ a: attentionSeries(metric: EVENTS) { key } b: attentionSeries(metric: CLICKS) { key }
        ... on Query { attentionBreakdown(by: ITEM, metric: CLICKS) { key } } ...F }
        fragment F on Query { c: attentionBreakdown(by: COUNTRY, metric: CLICKS) { key } }`),
    ).toBe(4);
  });

  it('ignores nested fields of the same name and non-queries', () => {
    expect(count('{ item(id: "x") { attentionSeries } }')).toBe(0);
    expect(count('mutation { attentionSeries }')).toBe(0);
  });
});
