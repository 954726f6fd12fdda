import { createClient as createSseClient } from 'graphql-sse';
import { type Client, createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

/** What a subscription received: payloads, the error that ended it, whether it completed. */
export class Received<T = Record<string, unknown>> {
  readonly payloads: {
    data?: T | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  }[] = [];
  error: unknown;
  completed = false;
  private waiters: (() => void)[] = [];

  push(p: Received<T>['payloads'][number]): void {
    this.payloads.push(p);
    this.notify();
  }

  end(error?: unknown): void {
    if (error !== undefined) this.error = error;
    this.completed = true;
    this.notify();
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `check` holds (for a payload, the error, the end), failing after `timeoutMs`. */
  async until(check: (r: this) => boolean, timeoutMs = 20_000, what = 'the subscription'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `${what}: condition not met after ${timeoutMs} ms (payloads: ${JSON.stringify(this.payloads).slice(0, 800)}, error: ${String(this.error)})`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first payload with data, once there is one. */
  async firstData(timeoutMs?: number): Promise<T> {
    await this.until((r) => r.payloads.some((p) => p.data) || r.completed, timeoutMs);
    const p = this.payloads.find((x) => x.data);
    if (!p?.data) throw new Error(`no data: ${JSON.stringify(this.payloads)} ${String(this.error)}`);
    return p.data;
  }
}

export const wsUrlOf = (gatewayUrl: string) => gatewayUrl.replace(/^http/, 'ws');
export const sseUrlOf = (gatewayUrl: string) => gatewayUrl.replace(/\/graphql$/, '/graphql/stream');

/** A real graphql-ws client (the `ws` package) with credentials in `connection_init`. */
export function wsClient(
  gatewayUrl: string,
  connectionParams: Record<string, unknown> = {},
  onClosed?: (event: { code: number; reason: string }) => void,
): Client {
  return createWsClient({
    url: wsUrlOf(gatewayUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: onClosed ? { closed: (e) => onClosed(e as { code: number; reason: string }) } : {},
  });
}

export function subscribeWs<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): { received: Received<T>; stop: () => void } {
  const received = new Received<T>();
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => received.push(v as Received<T>['payloads'][number]),
      error: (e) => received.end(e ?? 'error'),
      complete: () => received.end(),
    },
  );
  return { received, stop };
}

/** A real graphql-sse client (distinct connections mode) with credentials in headers. */
export function subscribeSse<T>(
  gatewayUrl: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): { received: Received<T>; stop: () => void } {
  const client = createSseClient({ url: sseUrlOf(gatewayUrl), headers, retryAttempts: 0 });
  const received = new Received<T>();
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => received.push(v as Received<T>['payloads'][number]),
      error: (e) => received.end(e ?? 'error'),
      complete: () => received.end(),
    },
  );
  return {
    received,
    stop: () => {
      stop();
      client.dispose();
    },
  };
}
