import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Caller,
  DEV_INTERNAL_SECRET,
  INTERNAL_CONTEXT_HEADER,
  verifyInternalContext,
} from '@attention-mesh/platform';
import { buildSchema, type GraphQLFieldResolver, graphql } from 'graphql';

export interface FakeSubgraph {
  url: string;
  /** Every operation received, with the caller its signed context named. */
  requests: { query: string; caller: Caller; context: string | undefined }[];
  stop(): Promise<void>;
}

/**
 * How a fake subgraph misbehaves for one request: never answer, drop the connection, or answer
 * this HTTP status (a GraphQL-less body); `undefined` answers normally.
 */
export type Misbehaviour = 'hang' | 'drop' | number | undefined;

async function body(req: IncomingMessage): Promise<{ query: string; variables?: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A stand-in for a subgraph in the gateway's unit tests: plain graphql-js over node:http answering
 * from `rootValue` (resolvers get `(args, { caller })`), checking the signed internal context as a
 * real subgraph does. Only for what these tests need of a subgraph (root fields, no entities).
 */
export async function startFakeSubgraph(
  sdl: string,
  rootValue: Record<string, unknown | GraphQLFieldResolver<unknown, { caller: Caller }>>,
  opts: { misbehave?: (query: string, index: number) => Misbehaviour } = {},
): Promise<FakeSubgraph> {
  const schema = buildSchema(sdl);
  const requests: FakeSubgraph['requests'] = [];
  const server = createServer(async (req, res) => {
    const { query, variables } = await body(req);
    const header = req.headers[INTERNAL_CONTEXT_HEADER] as string | undefined;
    let caller: Caller;
    try {
      caller = verifyInternalContext(header, DEV_INTERNAL_SECRET);
    } catch (err) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }],
        }),
      );
      return;
    }
    requests.push({ query, caller, context: header });
    const misbehaviour = opts.misbehave?.(query, requests.length - 1);
    if (misbehaviour === 'hang') return;
    if (misbehaviour === 'drop') {
      req.socket.destroy();
      return;
    }
    if (typeof misbehaviour === 'number') {
      res.writeHead(misbehaviour, { 'content-type': 'text/plain' });
      res.end('unavailable');
      return;
    }
    const result = await graphql({
      schema,
      source: query,
      rootValue,
      contextValue: { caller },
      ...(variables ? { variableValues: variables } : {}),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Hanging requests would keep it open.
        server.closeAllConnections();
      }),
  };
}
