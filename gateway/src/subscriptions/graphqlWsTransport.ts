import type { IncomingHttpHeaders, Server } from 'node:http';
import type { Caller, Logger } from '@attention-mesh/platform';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { API_KEY_HEADER, type CallerSources, callerOf } from '../auth/callerOf.js';
import type { LiveSubscription } from './liveSubscription.js';
import { SubscribeRefusal } from './prepareSubscription.js';
import { SUBSCRIPTION_LIMIT, type SubscriptionEngine } from './subscriptionEngine.js';

/** graphql-ws close codes of the gateway (4400-4499 are the protocol's; these are its own). */
export const CloseCodes = {
  /** The credentials of `connection_init` (or the upgrade request) are invalid. */
  UNAUTHENTICATED: 4401,
  /** A subscription fell its queue size behind: the client reads too slowly. */
  SLOW_CONSUMER: 4413,
} as const;

export interface WsTransportOptions {
  server: Server;
  engine: SubscriptionEngine;
  sources: CallerSources;
  maxPerConnection: number;
  /** Largest message a client may send, in bytes. */
  maxPayloadBytes: number;
  connectionInitTimeoutMs: number;
  logger: Logger;
}

interface Connection {
  caller: Caller;
  open: Set<LiveSubscription>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The credentials of a graphql-ws connection, as HTTP headers for `callerOf`: `authorization`
 * ("Bearer <jwt>") and `x-api-key` from the `connection_init` payload (browsers cannot set headers on a
 * WebSocket), else from the upgrade request's headers.
 */
function credentialsOf(params: Record<string, unknown> | undefined, upgrade: IncomingHttpHeaders) {
  const headers: IncomingHttpHeaders = {};
  const authorization = text(params?.authorization) ?? text(params?.Authorization) ?? upgrade.authorization;
  const apiKey = text(params?.[API_KEY_HEADER]) ?? text(params?.apiKey) ?? upgrade[API_KEY_HEADER];
  if (authorization !== undefined) headers.authorization = authorization;
  if (apiKey !== undefined) headers[API_KEY_HEADER] = apiKey;
  return headers;
}

/**
 * graphql-ws (`graphql-transport-ws`) on the gateway's HTTP server at `/graphql`: the caller is
 * established at `connection_init` with the same rules as a query (a bad credential closes with 4401;
 * no credential is the anonymous caller, whom every subscription refuses), each `subscribe` is checked
 * by the engine (a refusal is the protocol's `error` message with the codes), and a subscription that
 * falls behind closes the connection with 4413.
 */
export function attachGraphqlWs(opts: WsTransportOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({
    server: opts.server,
    path: '/graphql',
    maxPayload: opts.maxPayloadBytes,
  });
  const connections = new WeakMap<WebSocket, Connection>();
  const server = useServer(
    {
      connectionInitWaitTimeout: opts.connectionInitTimeoutMs,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        try {
          const caller = await callerOf(credentialsOf(ctx.connectionParams, request.headers), opts.sources);
          connections.set(socket, { caller, open: new Set() });
          return true;
        } catch (err) {
          socket.close(CloseCodes.UNAUTHENTICATED, (err as Error).message.slice(0, 120));
          return false;
        }
      },
      async onSubscribe(ctx, _id, payload) {
        const conn = connections.get(ctx.extra.socket);
        if (!conn) return [new GraphQLError('connection not initialised')];
        if (conn.open.size >= opts.maxPerConnection)
          return [
            new GraphQLError(`at most ${opts.maxPerConnection} open subscriptions per connection`, {
              extensions: { code: SUBSCRIPTION_LIMIT, limit: opts.maxPerConnection },
            }),
          ];
        try {
          const live = await opts.engine.subscribe(conn.caller, payload, (_sub, reason) =>
            ctx.extra.socket.close(CloseCodes.SLOW_CONSUMER, reason.slice(0, 120)),
          );
          conn.open.add(live);
          const end = live.end.bind(live);
          live.end = () => {
            conn.open.delete(live);
            end();
          };
          return {
            schema: opts.engine.schema(),
            document: live.prepared.document,
            ...(live.prepared.operationName ? { operationName: live.prepared.operationName } : {}),
            variableValues: live.prepared.variables,
            contextValue: { live },
          };
        } catch (err) {
          if (err instanceof SubscribeRefusal) return err.errors;
          opts.logger.error({ err }, 'subscriptions: subscribe failed');
          return [
            new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
          ];
        }
      },
      subscribe: (args) => (args.contextValue as { live: LiveSubscription }).live,
      onClose(ctx) {
        const conn = connections.get(ctx.extra.socket);
        if (conn) for (const live of [...conn.open]) live.end();
      },
    },
    wss,
  );
  return {
    async close() {
      await server.dispose();
    },
  };
}
