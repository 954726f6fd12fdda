import { createHash } from 'node:crypto';
import { ErrorCode, hasScope, Scope, signInternalContext } from '@attention-mesh/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import {
  createPrivacyCharger,
  type PrivacyCharge,
  type PrivacyChargeRequest,
} from '../privacy/privacyCharger.js';
import { privateFieldCount } from '../privacy/privateFieldCount.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

export interface PrivacyBudgetOptions {
  usersUrl: () => string | undefined;
  internalSecret: string;
  /** The signed context's lifetime (as `useInternalContext`). */
  contextTtlMs: number;
  /** For tests: the charge itself. */
  charge?: (request: PrivacyChargeRequest) => Promise<PrivacyCharge>;
}

/**
 * Charges an API-key caller's differentially private reads to its partner's daily ε ledger before
 * anything runs: (the number of private root fields) × ε per query, once per request id (a retry with
 * the same `x-request-id` and the same operation is not charged again). Past the budget the request is
 * refused with PRIVACY_BUDGET_EXHAUSTED (HTTP 429, `extensions.remaining` and `resetsAt`) and nothing
 * executes. Granted, the request's signed context is signed again with `dpEpsilon`, the ε per field
 * the ledger charged, which the subgraphs noise with: the ε spent and the ε used come from one place.
 * Runs after the other plugins' operation checks (validation, demand control, rate limits), so a
 * refused operation spends nothing. People and admins (no API key) are not charged: they see exact figures.
 */
export function usePrivacyBudget(opts: PrivacyBudgetOptions): GatewayPlugin {
  const charge = opts.charge ?? createPrivacyCharger(opts);
  return {
    name: 'privacy-budget',
    apolloPlugins: [
      {
        async requestDidStart({ contextValue }) {
          const { partnerId, apiKeyId } = contextValue.caller;
          // A key without analytics:read is denied the private fields anyway: nothing to charge.
          if (!partnerId || !apiKeyId || !hasScope(contextValue.caller, Scope.ANALYTICS_READ)) return;
          return {
            async responseForOperation(rc) {
              if (!rc.document || !rc.operation) return null;
              const fields = privateFieldCount(rc.document, rc.operation);
              if (fields === 0) return null;
              const operation = createHash('sha256')
                .update(rc.queryHash ?? '')
                .update('\0')
                .update(rc.operationName ?? '')
                .update('\0')
                .update(JSON.stringify(rc.request.variables ?? {}))
                .digest('hex');
              let answer: PrivacyCharge;
              try {
                answer = await charge({ partnerId, requestId: rc.contextValue.requestId, fields, operation });
              } catch (err) {
                // Errors thrown here would reach the client as internal ones: answer with the public one.
                if (!(err instanceof GraphQLError)) throw err;
                const { http: status, ...extensions } = err.extensions as { http?: { status?: number } };
                const http = rc.response.http;
                http.status = status?.status ?? 409;
                return {
                  http,
                  body: { kind: 'single', singleResult: { errors: [{ message: err.message, extensions }] } },
                };
              }
              if (!answer.granted) {
                const retryAfter = Math.max(1, Math.ceil((Date.parse(answer.resetsAt) - Date.now()) / 1000));
                const errors: GraphQLFormattedError[] = [
                  {
                    message: `Privacy budget exhausted for today: ${answer.remaining} ε left, ${fields} × ${answer.epsilonPerField} needed`,
                    extensions: {
                      code: ErrorCode.PRIVACY_BUDGET_EXHAUSTED,
                      remaining: answer.remaining,
                      resetsAt: answer.resetsAt,
                    },
                  },
                ];
                const http = rc.response.http;
                http.status = 429;
                http.headers.set('retry-after', String(retryAfter));
                return { http, body: { kind: 'single', singleResult: { errors } } };
              }
              const caller = { ...rc.contextValue.caller, dpEpsilon: answer.epsilonPerField };
              rc.contextValue.caller = caller;
              rc.contextValue.internalContext = signInternalContext(caller, opts.internalSecret, {
                ttlMs: opts.contextTtlMs,
              });
              return null;
            },
          };
        },
      },
    ],
  };
}
