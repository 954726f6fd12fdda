/** The client request's deadline (REQUEST_TIMEOUT_MS) passed: its pending subgraph calls stop. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`the request took longer than ${timeoutMs} ms`);
  }
}

/** One call to a subgraph took longer than SUBGRAPH_TIMEOUT_MS. */
export class SubgraphTimeoutError extends Error {
  override name = 'SubgraphTimeoutError';
  constructor(subgraph: string, timeoutMs: number) {
    super(`${subgraph} did not answer within ${timeoutMs} ms`);
  }
}

/** The subgraph's circuit breaker is open: the call was not sent. */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
  constructor(subgraph: string) {
    super(`${subgraph} failed repeatedly: its circuit breaker is open, calls fail fast`);
  }
}
