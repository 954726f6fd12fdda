import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@attention-mesh/platform';
import { createHandler } from 'graphql-sse/lib/use/http';
import { type CallerSources, callerOf } from '../auth/callerOf.js';
import type { LiveSubscription } from './liveSubscription.js';
import { SubscribeRefusal } from './prepareSubscription.js';
import type { SubscriptionEngine } from './subscriptionEngine.js';

/** Where GraphQL over SSE is served (distinct connections mode: one subscription per request). */
export const SSE_PATH = '/graphql/stream';

export interface SseTransportOptions {
  engine: SubscriptionEngine;
  sources: CallerSources;
  maxBodyBytes: number;
  logger: Logger;
}

/** How long a stream closed for falling behind may take to send its last event before it is cut. */
const OVERFLOW_GRACE_MS = 5_000;

const json = (
  status: number,
  body: unknown,
): [string, { status: number; statusText: string; headers: Record<string, string> }] => [
  JSON.stringify(body),
  { status, statusText: String(status), headers: { 'content-type': 'application/json; charset=utf-8' } },
];

/**
 * GraphQL over SSE (`graphql-sse`, distinct connections mode) at `/graphql/stream`: a POST (or GET)
 * with `Accept: text/event-stream`, credentials in the headers as for queries. A refused subscription
 * is answered at once with its HTTP status (400, 401, 403, 429) and `{ errors }` with the codes; a
 * stream that falls behind ends with a last `next` event carrying a SLOW_CONSUMER error, then
 * `complete`.
 */
export function sseHandler(
  opts: SseTransportOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const streams = new WeakMap<LiveSubscription, ServerResponse>();
  const handler = createHandler<{ live: LiveSubscription }>({
    // Distinct connections only (no reservations): every stream request carries its own credentials.
    authenticate: () => null as unknown as string,
    async onSubscribe(req, params) {
      let caller: Awaited<ReturnType<typeof callerOf>>;
      try {
        caller = await callerOf(req.raw.headers, opts.sources);
      } catch (err) {
        return json(401, {
          errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
      try {
        const live = await opts.engine.subscribe(caller, params, (sub) => {
          const res = streams.get(sub);
          setTimeout(() => res?.destroy(), OVERFLOW_GRACE_MS).unref();
        });
        streams.set(live, req.context.res);
        req.context.res.once('close', () => live.end());
        return {
          schema: opts.engine.schema(),
          document: live.prepared.document,
          ...(live.prepared.operationName ? { operationName: live.prepared.operationName } : {}),
          variableValues: live.prepared.variables,
          contextValue: { live },
        };
      } catch (err) {
        if (err instanceof SubscribeRefusal)
          return json(err.status, { errors: err.errors.map((e) => e.toJSON()) });
        opts.logger.error({ err }, 'subscriptions: subscribe failed');
        return json(500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      }
    },
    subscribe: (args) => args.contextValue.live,
  });
  return async (req, res) => {
    const accept = req.headers.accept ?? '';
    if (!accept.split(',').some((a) => a.trim().startsWith('text/event-stream'))) {
      res.writeHead(406, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          errors: [
            {
              message: `${SSE_PATH} serves subscriptions as text/event-stream (send Accept: text/event-stream)`,
              extensions: { code: 'BAD_REQUEST' },
            },
          ],
        }),
      );
      return;
    }
    // graphql-sse compares the header exactly.
    req.headers.accept = 'text/event-stream';
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > opts.maxBodyBytes) {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          errors: [
            { message: `Request body over ${opts.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } },
          ],
        }),
      );
      return;
    }
    try {
      await handler(req, res);
    } catch (err) {
      opts.logger.error({ err }, 'subscriptions: SSE handler failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
      } else res.end();
    }
  };
}
