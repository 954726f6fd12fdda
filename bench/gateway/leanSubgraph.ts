/**
 * One lean in-memory subgraph of the gateway benchmark: the mesh's own subgraph schema
 * (`subgraphs/<BENCH_LEAN_SUBGRAPH>/src/schema.graphql` through buildSubgraphSchema) served by a bare
 * node:http server and graphql-js `execute` over generated data (`leanData.ts`), with parsed and
 * validated documents cached: a subgraph so cheap that the gateway in front of it is the bottleneck.
 * POST /graphql answers JSON; GET /readyz answers 200. Listens on 127.0.0.1:$PORT.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, execute, type GraphQLError, parse, validate } from 'graphql';
import { REPO_ROOT } from '../shared/repo.js';
import { leanFieldResolver, resolveGeneratedTypes } from './leanData.js';

const name = process.env.BENCH_LEAN_SUBGRAPH ?? '';
if (!/^[a-z]+$/.test(name)) throw new Error('BENCH_LEAN_SUBGRAPH names one subgraph');
const port = Number(process.env.PORT ?? '0');

const schema = buildSubgraphSchema({
  typeDefs: parse(readFileSync(join(REPO_ROOT, 'subgraphs', name, 'src', 'schema.graphql'), 'utf8')),
});
resolveGeneratedTypes(schema);
const fieldResolver = leanFieldResolver(schema);

/** Gateways send a handful of distinct subgraph documents: parse and validate each once. */
const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
function documentOf(query: string): DocumentNode | readonly GraphQLError[] {
  let doc = documents.get(query);
  if (!doc) {
    try {
      const parsed = parse(query);
      const errors = validate(schema, parsed);
      doc = errors.length ? errors : parsed;
    } catch (err) {
      doc = [err as GraphQLError];
    }
    if (documents.size < 10_000) documents.set(query, doc);
  }
  return doc;
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(req.url === '/readyz' ? 200 : 404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    let payload: unknown;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables?: Record<string, unknown>;
        operationName?: string;
      };
      const doc = documentOf(body.query);
      payload = Array.isArray(doc)
        ? { errors: doc.map((e) => ({ message: e.message })) }
        : await execute({
            schema,
            document: doc as DocumentNode,
            variableValues: body.variables ?? {},
            operationName: body.operationName ?? null,
            fieldResolver,
          });
    } catch (err) {
      payload = { errors: [{ message: (err as Error).message }] };
    }
    const text = JSON.stringify(payload);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
