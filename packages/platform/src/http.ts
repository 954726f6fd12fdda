import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Logger } from './logger.js';
import { isClientId } from './validate.js';

export interface HttpServiceOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; a thrown GraphQLError with `extensions.http.status` sets the status. */
  context(req: IncomingMessage, requestId: string): Promise<TContext>;
  /** Readiness: true once every dependency (database, supergraph) is usable. */
  ready(): boolean;
  /** Extra fields for /healthz and /readyz (service name, backend, ...). */
  health?(): Record<string, unknown>;
  logger: Logger;
  maxBodyBytes: number;
}

/** The request id of a call: the caller's `x-request-id` when well-formed, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && isClientId(given) ? given : randomUUID();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A small node:http integration for Apollo Server: `/graphql` (and `/`), `/healthz` (the process is
 * alive) and `/readyz` (its dependencies are usable). No framework: one less layer on every request.
 */
export function createHttpService<TContext extends BaseContext>(opts: HttpServiceOptions<TContext>): Server {
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ err }, 'unhandled HTTP error');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return json(res, 200, { status: 'ok', ...opts.health?.() });
    if (url.pathname === '/readyz') {
      const ready = opts.ready();
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...opts.health?.() });
    }
    if (url.pathname !== '/graphql' && url.pathname !== '/') return json(res, 404, { error: 'not found' });

    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req, opts.maxBodyBytes);
      if (text === null) {
        return json(res, 413, {
          errors: [
            { message: `Request body over ${opts.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } },
          ],
        });
      }
      if (headers.get('content-type')?.includes('application/json')) {
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          return json(res, 400, {
            errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
          });
        }
      } else {
        body = text;
      }
    }
    const result = await opts.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: () => opts.context(req, requestId),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** Listens and resolves with the bound port (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
