import type { Caller } from '@attention-mesh/platform';

/** What every request carries through the gateway; plugins add to it in their `context` hook. */
export interface GatewayContext {
  requestId: string;
  caller: Caller;
}
