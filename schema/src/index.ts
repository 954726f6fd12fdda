import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { CompositionError } from './compositionError.js';

export { CompositionError } from './compositionError.js';
export { buildPublicContract, publicSchemaFileText } from './publicContract.js';

/** Where the composition config and the checked-in supergraph live. */
export const SUBGRAPHS_FILE = fileURLToPath(new URL('../subgraphs.json', import.meta.url));
export const SUPERGRAPH_FILE = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
/** The partner contract: the API schema's fields tagged `@tag(name: "public")` (`npm run compose`). */
export const PUBLIC_SCHEMA_FILE = fileURLToPath(new URL('../public.graphql', import.meta.url));
/**
 * The gateway's in-process `events` subgraph (the live Subscription fields): composed like the others,
 * served by the gateway itself, never called over HTTP (DESIGN §3, point 4).
 */
export const EVENTS_SUBGRAPH = 'events';
export const EVENTS_SCHEMA_FILE = fileURLToPath(new URL('../events/schema.graphql', import.meta.url));

export interface SubgraphEntry {
  name: string;
  /** Absolute path of the subgraph's SDL. */
  schema: string;
  url: string;
}

export function readSubgraphList(file = SUBGRAPHS_FILE): SubgraphEntry[] {
  const list = JSON.parse(readFileSync(file, 'utf8')) as { subgraphs: SubgraphEntry[] };
  return list.subgraphs.map((s) => ({ ...s, schema: fileURLToPath(new URL(s.schema, `file://${file}`)) }));
}

/**
 * Composes the listed subgraphs into a supergraph SDL. A failure lists every error with its code;
 * Apollo's messages name the subgraphs and the fields involved.
 */
export function composeSupergraph(entries: SubgraphEntry[] = readSubgraphList()): string {
  const services = entries.map((s) => {
    try {
      return { name: s.name, url: s.url, typeDefs: parse(readFileSync(s.schema, 'utf8')) };
    } catch (err) {
      throw new CompositionError(`subgraph "${s.name}" (${s.schema}): ${(err as Error).message}`);
    }
  });
  const result = composeServices(services);
  if (result.errors) {
    const lines = result.errors.map((e) => `  [${String(e.extensions?.code ?? 'ERROR')}] ${e.message}`);
    throw new CompositionError(
      `Composition failed with ${result.errors.length} error(s):\n${lines.join('\n')}`,
    );
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
