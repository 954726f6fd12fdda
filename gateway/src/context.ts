import type { Caller } from '@attention-mesh/platform';

/** What every request carries through the gateway; plugins add to it in their `context` hook. */
export interface GatewayContext {
  requestId: string;
  caller: Caller;
  /**
   * The caller signed for the subgraphs (`x-mesh-context`), once per client request; absent for the
   * gateway's own calls outside a client request.
   */
  internalContext?: string;
  /** The operation's static cost (before execution) and measured cost (after), from demand control. */
  demand?: { estimatedCost: number; actualCost?: number };
}
