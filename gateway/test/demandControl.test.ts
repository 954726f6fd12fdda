import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANONYMOUS, type Caller, createLogger, Scope } from '@attention-mesh/platform';
import { composeSupergraph, SUPERGRAPH_FILE } from '@attention-mesh/schema';
import { buildSchema, type GraphQLError, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import type { GatewayContext } from '../src/context.js';
import { actualCost } from '../src/demand/actualCost.js';
import { clientKind } from '../src/demand/clientKind.js';
import { readCostDirectives } from '../src/demand/costDirectives.js';
import { estimateCost } from '../src/demand/estimateCost.js';
import { countTokens, measureOperation } from '../src/demand/measureOperation.js';
import type { ServedGateway } from '../src/plugins/gatewayPlugin.js';
import { type DemandLimits, useDemandControl } from '../src/plugins/useDemandControl.js';
import { DEMAND_PLAIN, DEMAND_SDL } from './support/demandSchema.js';

const dir = mkdtempSync(join(tmpdir(), 'demand-'));
writeFileSync(join(dir, 'ads.graphql'), DEMAND_SDL);
const supergraph = composeSupergraph([{ name: 'ads', schema: join(dir, 'ads.graphql'), url: 'http://ads' }]);
const schema = buildSchema(DEMAND_PLAIN);
const directives = readCostDirectives(parse(supergraph));

const operation = (query: string) => {
  const document = parse(query);
  const op = getOperationAST(document);
  if (!op) throw new Error('no operation');
  return { document, operation: op };
};
const cost = (query: string, variables: Record<string, unknown> = {}) =>
  estimateCost({ schema, directives, ...operation(query), variables, defaultListSize: 10 });
const shape = (query: string) => {
  const { document, operation: op } = operation(query);
  return measureOperation(document, op);
};

describe('the composed supergraph keeps @cost and @listSize (federation v2.9)', () => {
  it('reads them by coordinate', () => {
    expect(directives.fields.get('Query.heavy')).toBe(50);
    expect(directives.types.get('Money')).toBe(2);
    expect(directives.arguments.get('Query.search(text:)')).toBe(20);
    expect(directives.fields.get('Filter.name')).toBe(7);
    expect(directives.listSizes.get('Query.feedback')).toEqual({
      slicingArguments: ['first', 'last'],
      sizedFields: ['edges'],
      requireOneSlicingArgument: true,
    });
    expect(directives.listSizes.get('Advertiser.campaigns')).toEqual({
      assumedSize: 3,
      requireOneSlicingArgument: true,
    });
  });
});

describe('the shape of an operation', () => {
  it('measures depth with fragments expanded, introspection left out', () => {
    expect(shape('{ campaign(id: "c") { advertiser { campaigns { id } } } }').depth).toBe(4);
    expect(
      shape(
        '{ campaign(id: "c") { ...A } } fragment A on Campaign { advertiser { ...B } } fragment B on Advertiser { id }',
      ).depth,
    ).toBe(3);
    expect(shape('{ __schema { types { fields { type { ofType { name } } } } } }').depth).toBe(0);
  });

  it('counts aliases, root fields and directives through fragments, once per spread', () => {
    const s = shape(`query Q @skip(if: false) { a: tags ...R ...R }
      fragment R on Query { b: heavy @include(if: true) c: campaign(id: "x") { d: id @skip(if: false) } }`);
    expect(s).toEqual({ depth: 2, aliases: 7, rootFields: 5, directives: 5 });
  });

  it('does not loop on a fragment cycle', () => {
    expect(shape('{ ...A } fragment A on Query { tags ...A }').rootFields).toBe(1);
  });

  it('counts tokens with the lexer', () => {
    expect(countTokens('{ campaign(id: "c") { id } }')).toBe(11);
    expect(countTokens('{ a b c d e', 3)).toBe(3);
  });
});

describe('static cost', () => {
  it('costs objects 1 and scalars 0, lists by their assumed size', () => {
    expect(cost('{ tags }')).toBe(0);
    expect(cost('{ campaign(id: "c") { id name } }')).toBe(1);
    expect(cost('{ campaign(id: "c") { advertiser { campaigns { id } } } }')).toBe(1 + 1 + 3);
  });

  it('multiplies by a slicing argument, from a literal, a variable or the default', () => {
    expect(cost('{ campaigns(first: 5) { id } }')).toBe(5);
    expect(cost('query($n: Int) { campaigns(first: $n) { id } }', { n: 7 })).toBe(7);
    expect(cost('query($n: Int) { campaigns(first: $n) { id } }')).toBe(10);
    expect(cost('query($n: Int = 500) { campaigns(first: $n) { id } }')).toBe(500);
    expect(cost('query($n: Int = 500) { campaigns(first: $n) { id } }', { n: 4 })).toBe(4);
    expect(cost('{ campaigns { advertiser { id } } }')).toBe(10 * 2);
  });

  it('sizes a connection by its sized fields (edges)', () => {
    expect(cost('{ feedback(first: 20) { total edges { node { id } } } }')).toBe(1 + 20 * 2);
    expect(cost('query($l: Int) { feedback(last: $l) { edges { node { id } } } }', { l: 3 })).toBe(1 + 3 * 2);
  });

  it('requires exactly one slicing argument where @listSize says so', () => {
    for (const q of ['{ feedback { total } }', '{ feedback(first: 1, last: 1) { total } }']) {
      let error: GraphQLError | undefined;
      try {
        cost(q);
      } catch (err) {
        error = err as GraphQLError;
      }
      expect(error?.extensions.code).toBe('BAD_USER_INPUT');
      expect(error?.message).toContain('Query.feedback');
    }
  });

  it('adds @cost of fields, types, arguments and input fields', () => {
    expect(cost('{ heavy }')).toBe(50);
    expect(cost('{ campaign(id: "c") { budget { micros } } }')).toBe(1 + 2);
    expect(cost('{ search(text: "x") { id } }')).toBe(5 + 20);
    expect(cost('query($f: Filter) { search(filter: $f) { id } }', { f: { name: 'n' } })).toBe(5 + 7);
    expect(cost('{ search { id } }')).toBe(5);
  });

  it('costs a mutation root field 10, and skips what @skip/@include leave out', () => {
    expect(cost('mutation { pause(id: "c") { id } }')).toBe(10);
    expect(cost('query($s: Boolean!) { heavy @skip(if: $s) tags }', { s: true })).toBe(0);
    expect(cost('{ heavy @include(if: false) }')).toBe(0);
  });

  it('costs fragments as if inlined, nested lists multiplying', () => {
    expect(cost('{ ...F ...F } fragment F on Query { campaigns(first: 2) { id } }')).toBe(4);
    const deep = `{ campaigns(first: 100) { advertiser { campaigns { advertiser { campaigns { id } } } } } }`;
    expect(cost(deep)).toBe(100 * (1 + 1 + 3 * (1 + 1 + 3)));
  });
});

describe('actual cost', () => {
  const actual = (query: string, data: unknown, variables: Record<string, unknown> = {}) =>
    actualCost({ schema, directives, ...operation(query), variables, data });

  it('counts the objects returned, lists by their real length', () => {
    const q = '{ campaigns(first: 50) { id advertiser { campaigns { id } } } }';
    const data = {
      campaigns: [
        { id: 'a', advertiser: { campaigns: [{ id: 'a' }, { id: 'b' }] } },
        { id: 'b', advertiser: { campaigns: [] } },
      ],
    };
    expect(actual(q, data)).toBe(2 + 2 + 2);
    expect(cost(q)).toBe(50 * (1 + 1 + 3));
  });

  it('applies the weights, counts nulls as nothing, merges fields of fragments once', () => {
    expect(actual('{ heavy campaign(id: "c") { budget { micros } } }', { heavy: 1, campaign: null })).toBe(
      50,
    );
    expect(
      actual(
        '{ campaign(id: "c") { budget { micros } ...F } } fragment F on Campaign { budget { micros } }',
        {
          campaign: { budget: { micros: 1 } },
        },
      ),
    ).toBe(1 + 2);
    expect(actual('mutation { pause(id: "c") { id } }', { pause: { id: 'c' } })).toBe(10);
  });
});

describe('client kinds', () => {
  it('tells anonymous, person, partner and analyst apart', () => {
    expect(clientKind(ANONYMOUS)).toBe('anonymous');
    expect(clientKind({ userId: 'u', scopes: [] })).toBe('person');
    expect(clientKind({ partnerId: 'p', apiKeyId: 'k', scopes: [Scope.ADS_REQUEST] })).toBe('partner');
    expect(clientKind({ userId: 'u', scopes: [Scope.ANALYTICS_READ] })).toBe('analyst');
    expect(clientKind({ userId: 'u', scopes: [Scope.ADMIN] })).toBe('analyst');
  });
});

describe('useDemandControl', () => {
  const limits: DemandLimits = {
    maxDepth: 5,
    maxAliases: 2,
    maxRootFields: 3,
    maxDirectives: 2,
    maxTokens: 1000,
    defaultListSize: 10,
    costLimits: { anonymous: 10, person: 100, partner: 200, analyst: 1000 },
  };
  const plugin = useDemandControl(limits, createLogger({ service: 'test', level: 'silent', pretty: false }));
  const data = { campaigns: [{ id: 'a' }, { id: 'b' }] };
  const inner = {
    onSchemaLoadOrUpdate(callback: (s: { apiSchema: typeof schema; coreSupergraphSdl: string }) => void) {
      callback({ apiSchema: schema, coreSupergraphSdl: supergraph });
      return () => {};
    },
    stop: async () => {},
    load: async () => ({ schema, executor: async () => ({ data }) }),
  } as unknown as ServedGateway;

  async function run(query: string, caller: Caller, variables: Record<string, unknown> = {}) {
    const served = plugin.wrapGateway?.(inner) as ServedGateway;
    const { executor } = await served.load({ apollo: {} } as never);
    const { document, operation: op } = operation(query);
    const context: GatewayContext = { requestId: 'r', caller };
    const rc = {
      schema,
      document,
      operation: op,
      request: { query, variables },
      contextValue: context,
      context,
    };
    const listener = await plugin.apolloPlugins?.[0]?.requestDidStart?.(rc as never);
    try {
      await listener?.didResolveOperation?.(rc as never);
    } catch (err) {
      return { error: err as GraphQLError, context };
    }
    await executor?.(rc as never);
    return { context };
  }

  it('puts the estimate on the context and the actual cost after execution', async () => {
    const { error, context } = await run('query($n: Int) { campaigns(first: $n) { id } }', ANONYMOUS, {
      n: 8,
    });
    expect(error).toBeUndefined();
    expect(context.demand).toEqual({ estimatedCost: 8, actualCost: 2 });
  });

  it('refuses over the budget of the caller kind with the cost and the limit', async () => {
    const q = '{ campaigns(first: 150) { id } }';
    const anonymous = await run(q, ANONYMOUS);
    expect(anonymous.error?.extensions).toMatchObject({ code: 'COST_LIMIT', cost: 150, limit: 10 });
    expect(anonymous.error?.extensions.http).toEqual({ status: 400 });
    expect(anonymous.context.demand).toBeUndefined();
    expect((await run(q, { userId: 'u', scopes: [] })).error?.extensions).toMatchObject({ limit: 100 });
    expect((await run(q, { partnerId: 'p', scopes: [] })).error).toBeUndefined();
    expect(
      (await run('{ campaigns(first: 900) { id } }', { userId: 'u', scopes: [Scope.ADMIN] })).error,
    ).toBeUndefined();
  });

  it('refuses each limit with its code, the limit and the measured value', async () => {
    const cases = [
      [
        '{ campaign(id: "c") { advertiser { campaigns { advertiser { campaigns { advertiser { id } } } } } } }',
        'DEPTH_LIMIT',
        5,
        7,
      ],
      ['{ a: tags b: tags c: tags }', 'ALIAS_LIMIT', 2, 3],
      ['{ tags heavy __typename campaign(id: "c") { id } }', 'ROOT_FIELD_LIMIT', 3, 4],
      [
        '{ tags @include(if: true) heavy @skip(if: false) __typename @skip(if: false) }',
        'DIRECTIVE_LIMIT',
        2,
        3,
      ],
    ] as const;
    for (const [q, code, limit, measured] of cases) {
      const { error } = await run(q, ANONYMOUS);
      expect(error?.extensions).toMatchObject({ code, limit, measured, http: { status: 400 } });
    }
  });
});

describe("the README's examples", () => {
  it('are within the default limits and a person budget, over the checked-in supergraph', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test' });
    const { demand } = config;
    const sdl = readFileSync(SUPERGRAPH_FILE, 'utf8');
    const api = buildSchema(sdl);
    const meshDirectives = readCostDirectives(parse(sdl));
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(examples.length).toBeGreaterThan(3);
    for (const text of examples) {
      const document = parse(text);
      expect(countTokens(text)).toBeLessThanOrEqual(demand.maxTokens);
      for (const op of document.definitions) {
        if (op.kind !== 'OperationDefinition') continue;
        const s = measureOperation(document, op);
        expect(s.depth).toBeLessThanOrEqual(demand.maxDepth);
        expect(s.aliases).toBeLessThanOrEqual(demand.maxAliases);
        expect(s.rootFields).toBeLessThanOrEqual(demand.maxRootFields);
        expect(s.directives).toBeLessThanOrEqual(demand.maxDirectives);
        const c = estimateCost({
          schema: api,
          directives: meshDirectives,
          document,
          operation: op,
          variables: {},
          defaultListSize: demand.defaultListSize,
        });
        expect(c).toBeLessThanOrEqual(demand.costLimits.person);
      }
    }
  });
});
