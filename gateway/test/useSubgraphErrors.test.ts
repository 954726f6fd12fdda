import { createLogger } from '@attention-mesh/platform';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { SubgraphRequest } from '../src/plugins/gatewayPlugin.js';
import { useSubgraphErrors } from '../src/plugins/useSubgraphErrors.js';

const plugin = useSubgraphErrors(createLogger({ service: 'gateway', level: 'silent', pretty: false }));
const DOWN = { code: 'DOWNSTREAM_SERVICE_ERROR' };

function fail(request: SubgraphRequest, error: unknown = new TypeError('fetch failed')) {
  return plugin.onSubgraphFailure?.({ name: 'ads', error, request });
}

describe('useSubgraphErrors', () => {
  it('puts a downstream error at each root field, by response key', () => {
    const answer = fail({ query: '{ campaign(id: "c") { name } promo: ad(id: "a") { id } __typename }' });
    expect(answer?.errors?.map((e) => e.path)).toEqual([['campaign'], ['promo']]);
    for (const e of answer?.errors ?? []) {
      expect(e.extensions).toEqual(DOWN);
      expect(e.message).toBe('The ads service is unavailable');
    }
  });

  it('puts a downstream error at each field of each entity asked for', () => {
    const answer = fail({
      query:
        'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { __typename attention { events } score } } }',
      variables: {
        representations: [
          { __typename: 'User', id: 'a' },
          { __typename: 'User', id: 'b' },
        ],
      },
    });
    expect(answer?.errors?.map((e) => e.path)).toEqual([
      ['_entities', 0, 'attention'],
      ['_entities', 0, 'score'],
      ['_entities', 1, 'attention'],
      ['_entities', 1, 'score'],
    ]);
  });

  it('answers one error without a path when the operation cannot be read', () => {
    expect(fail({ query: '{' })?.errors).toEqual([
      { message: 'The ads service is unavailable', extensions: DOWN },
    ]);
  });

  it('keeps coded GraphQL errors that came with a failing status, and nothing of the response', () => {
    const error = new GraphQLError('503: Service Unavailable', {
      extensions: {
        response: {
          url: 'http://10.0.0.7:4004/graphql',
          status: 503,
          body: {
            errors: [{ message: 'Slow down', path: ['campaign'], extensions: { code: 'RATE_LIMITED' } }],
          },
        },
      },
    });
    expect(fail({ query: '{ campaign(id: "c") { name } }' }, error)?.errors).toEqual([
      { message: 'Slow down', path: ['campaign'], extensions: { code: 'RATE_LIMITED' } },
    ]);
  });

  it('treats a failing GraphQL body with an uncoded error as a downstream failure', () => {
    const error = new GraphQLError('500: Internal Server Error', {
      extensions: { response: { status: 500, body: { errors: [{ message: 'at Mongo.find (/srv/x.js)' }] } } },
    });
    const answer = fail({ query: '{ campaign(id: "c") { name } }' }, error);
    expect(answer?.errors).toEqual([
      { message: 'The ads service is unavailable', path: ['campaign'], extensions: DOWN },
    ]);
  });

  it.each(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'])(
    'passes a %s that failed the whole subgraph request (no path) through unchanged',
    (code) => {
      const sent = {
        message: 'Variable "$b" got invalid value 1.5; Micros must be a whole number of micro-units, got 1.5',
        locations: [{ line: 1, column: 10 }],
        extensions: { code, field: 'b' },
      };
      const error = new GraphQLError('400: Bad Request', {
        extensions: { response: { status: 400, body: { errors: [sent] } } },
      });
      expect(fail({ query: 'mutation($b: Micros!) { x(b: $b) }' }, error)?.errors).toEqual([
        { message: sent.message, extensions: { code, field: 'b' } },
      ]);
    },
  );

  it('turns a coded INTERNAL_SERVER_ERROR body into a downstream error at the fields', () => {
    const error = new GraphQLError('500: Internal Server Error', {
      extensions: {
        response: {
          status: 500,
          body: {
            errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          },
        },
      },
    });
    expect(fail({ query: '{ campaign(id: "c") { name } }' }, error)?.errors).toEqual([
      { message: 'The ads service is unavailable', path: ['campaign'], extensions: DOWN },
    ]);
  });
});
