import {
  ErrorCode,
  INTERNAL_CONTEXT_HEADER,
  meshError,
  Scope,
  signInternalContext,
} from '@attention-mesh/platform';

/** The users subgraph's answer to a charge (`chargePrivacyBudget`). */
export interface PrivacyCharge {
  granted: boolean;
  epsilonPerField: number;
  remaining: number;
  /** ISO. */
  resetsAt: string;
}

export interface PrivacyChargeRequest {
  partnerId: string;
  requestId: string;
  fields: number;
  /** SHA-256 of the operation (document, name, variables), hex. */
  operation: string;
}

const MUTATION = `mutation($p: ID!, $r: ID!, $f: Int!, $o: String!) {
  chargePrivacyBudget(partnerId: $p, requestId: $r, fields: $f, operation: $o) { granted epsilonPerField remaining resetsAt } }`;

const unavailable = () =>
  meshError(ErrorCode.DOWNSTREAM_SERVICE_ERROR, 'the privacy budget cannot be checked right now', {
    http: { status: 503 },
  });

/**
 * Charges a request to its partner's ε ledger in the users subgraph, asked as the gateway itself (a
 * `mesh:gateway` context), as API keys are resolved. A ledger that cannot answer refuses the request
 * (503): a differentially private release never runs uncharged. A CONFLICT (a request id reused for
 * another operation) reaches the client as it is.
 */
export function createPrivacyCharger(opts: {
  usersUrl: () => string | undefined;
  internalSecret: string;
}): (request: PrivacyChargeRequest) => Promise<PrivacyCharge> {
  return async ({ partnerId, requestId, fields, operation }) => {
    const url = opts.usersUrl();
    if (!url) throw unavailable();
    let body: {
      data?: { chargePrivacyBudget?: PrivacyCharge } | null;
      errors?: { message?: string; extensions?: { code?: string } }[];
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [INTERNAL_CONTEXT_HEADER]: signInternalContext({ scopes: [Scope.GATEWAY] }, opts.internalSecret),
        },
        body: JSON.stringify({
          query: MUTATION,
          variables: { p: partnerId, r: requestId, f: fields, o: operation },
        }),
        signal: AbortSignal.timeout(5_000),
      });
      body = (await res.json()) as typeof body;
    } catch {
      throw unavailable();
    }
    const conflict = body.errors?.find((e) => e.extensions?.code === ErrorCode.CONFLICT);
    if (conflict)
      throw meshError(ErrorCode.CONFLICT, conflict.message ?? 'request id reused', { field: 'x-request-id' });
    const charge = body.data?.chargePrivacyBudget;
    if (body.errors?.length || !charge || typeof charge.granted !== 'boolean') throw unavailable();
    return charge;
  };
}
