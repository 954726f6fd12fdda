import { badUserInput } from '@attention-mesh/platform';
import { type DocumentNode, GraphQLError, visit } from 'graphql';
import type { GatewayPlugin } from './gatewayPlugin.js';

/**
 * Refuses, before planning, numbers the gateway could not forward to a subgraph: a literal such as
 * `1e309` (or an integer of hundreds of digits) becomes Infinity when the gateway reads it and then
 * fails the query planner as an internal error, and a variable of `1e309` reaches the subgraph as null.
 * Both are the client's mistake: BAD_USER_INPUT (HTTP 400) naming the argument or variable. The walk
 * over the document is cached per parsed document.
 */
export function useFiniteNumbers(): GatewayPlugin {
  const literals = new WeakMap<DocumentNode, GraphQLError | null>();
  return {
    name: 'finite-numbers',
    apolloPlugins: [
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ document, request }) {
              let literal = literals.get(document);
              if (literal === undefined) {
                literal = nonFiniteLiteral(document);
                literals.set(document, literal);
              }
              if (literal) throw literal;
              const variable = nonFiniteVariable(request.variables);
              if (variable) throw variable;
            },
          };
        },
      },
    ],
  };
}

const refusal = (message: string, field: string) => {
  const error = badUserInput(message, field);
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status: 400 } },
  });
};

function nonFiniteLiteral(document: DocumentNode): GraphQLError | null {
  let found: GraphQLError | null = null;
  let argument = 'value';
  visit(document, {
    Argument: (node) => {
      argument = node.name.value;
    },
    ObjectField: (node) => {
      argument = node.name.value;
    },
    IntValue: (node) => check(node.value),
    FloatValue: (node) => check(node.value),
  });
  return found;

  function check(value: string) {
    if (found || Number.isFinite(Number(value))) return;
    found = refusal(`${argument}: ${value.slice(0, 40)} is not a finite number`, argument);
  }
}

function nonFiniteVariable(variables: Record<string, unknown> | undefined): GraphQLError | null {
  if (!variables) return null;
  const stack: [string, unknown][] = Object.entries(variables).map(([k, v]) => [`$${k}`, v]);
  while (stack.length) {
    const [path, value] = stack.pop() as [string, unknown];
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return refusal(`Variable ${path} is not a finite number (numbers beyond ±1.8e308 are refused)`, path);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push([`${path}.${i}`, v]);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push([`${path}.${k}`, v]);
    }
  }
  return null;
}
