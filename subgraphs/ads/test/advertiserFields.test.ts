import { readFileSync } from 'node:fs';
import { readAccessRules } from '@attention-mesh/platform';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ADVERTISER_FIELDS } from '../src/resolvers/advertiserFields.js';

const rules = readAccessRules(parse(readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8')));

describe('ownership of the advertiser-only fields', () => {
  it.each(Object.keys(ADVERTISER_FIELDS))(
    'checks exactly the %s fields the schema gives to the advertiser policy',
    (type) => {
      const inSchema = [...rules]
        .filter(
          ([where, rule]) => where.startsWith(`${type}.`) && rule.policies?.flat().includes('advertiser'),
        )
        .map(([where]) => where.slice(type.length + 1))
        .sort();
      expect([...ADVERTISER_FIELDS[type as keyof typeof ADVERTISER_FIELDS].fields].sort()).toEqual(inSchema);
    },
  );
});
