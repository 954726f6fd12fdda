import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Logger } from './logger.js';
import { serveMetrics } from './metrics/metricsEndpoint.js';
import { withServerSpan } from './tracing/serverSpan.js';
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
  /** The service's name on its spans. */
  service?: string;
  /** Answer `GET /metrics` on this port (outside production, when no METRICS_PORT is set). */
  metrics?: boolean;
  /** Browser-facing protections; every response carries the security headers whatever is set here. */
  security?: HttpSecurityOptions;
}

export interface HttpSecurityOptions {
  /** The origins browsers may call from (CORS); none when absent. */
  allowOrigin?: (origin: string) => boolean;
  /** Send Strict-Transport-Security: the service is reached over HTTPS only (production). */
  hsts?: boolean;
}

/** What every answer forbids a browser: to sniff its type, send a referrer, frame it, or run anything in it. */
const SECURITY_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];
const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/**
 * The landing page (the only HTML answer) carries its own nonce-based policy in a meta tag for the
 * scripts it loads; the header adds only what a meta tag cannot say.
 */
const LANDING_PAGE_CSP = "frame-ancestors 'none'";
const HSTS = 'max-age=31536000; includeSubDomains';
const CORS_METHODS = 'GET, POST, OPTIONS';
const CORS_EXPOSED = 'x-request-id, ratelimit, ratelimit-policy, retry-after';
/** Request headers a preflight may ask for: header names, comma-separated, bounded. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/**
 * CORS for an allowed origin (its answers readable, preflights answered 204); a preflight from any
 * other origin is refused with 403. Returns true when the request has been answered.
 */
function cors(req: IncomingMessage, res: ServerResponse, allowOrigin?: (origin: string) => boolean): boolean {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && origin !== 'null' && allowOrigin?.(origin) === true;
  if (origin !== undefined) res.setHeader('vary', 'Origin');
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', CORS_EXPOSED);
  }
  if (req.method !== 'OPTIONS') return false;
  if (origin !== undefined && !allowed) {
    json(res, 403, { error: 'origin not allowed' });
    return true;
  }
  res.setHeader('allow', CORS_METHODS);
  if (allowed) {
    res.setHeader('access-control-allow-methods', CORS_METHODS);
    const asked = req.headers['access-control-request-headers'];
    if (typeof asked === 'string' && asked.length <= 1_000 && HEADER_LIST.test(asked.trim()))
      res.setHeader('access-control-allow-headers', asked.trim());
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204);
  res.end();
  return true;
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

/**
 * The body as text, or null once it passes `limit` bytes (the rest is left unread). Listens for
 * chunks rather than iterating the stream: an async iterator per request costs more than the read.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(null);
    };
    const onEnd = () =>
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', reject);
  });
}

/** The path and the query string (with its `?`) of a request target. */
function splitTarget(target: string): { pathname: string; search: string } {
  // The absolute form (`http://host/path`, from proxies) is rare: the URL parser reads it.
  if (!target.startsWith('/')) return new URL(target, 'http://localhost');
  const q = target.indexOf('?');
  return q === -1
    ? { pathname: target, search: '' }
    : { pathname: target.slice(0, q), search: target.slice(q) };
}

/**
 * A small node:http integration for Apollo Server: `/graphql` (and `/`), `/healthz` (the process is
 * alive) and `/readyz` (its dependencies are usable). No framework: one less layer on every request.
 */
export function createHttpService<TContext extends BaseContext>(opts: HttpServiceOptions<TContext>): Server {
  return createServer((req, res) => {
    withServerSpan(opts.service ?? 'unknown', req, () => handle(req, res)).catch((err: unknown) => {
      opts.logger.error({ err }, 'unhandled HTTP error');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    res.setHeader('content-security-policy', STRICT_CSP);
    if (opts.security?.hsts) res.setHeader('strict-transport-security', HSTS);
    if (cors(req, res, opts.security?.allowOrigin)) return;
    const url = splitTarget(req.url ?? '/');
    if (url.pathname === '/healthz') return json(res, 200, { status: 'ok', ...opts.health?.() });
    if (url.pathname === '/readyz') {
      const ready = opts.ready();
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...opts.health?.() });
    }
    if (opts.metrics && url.pathname === '/metrics' && req.method === 'GET')
      return serveMetrics(res, opts.logger);
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
    if (result.headers.get('content-type')?.startsWith('text/html'))
      res.setHeader('content-security-policy', LANDING_PAGE_CSP);
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
