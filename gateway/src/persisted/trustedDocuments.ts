import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The operations a trusted-documents manifest allows, by the id clients send and by their text's hash. */
export interface TrustedDocuments {
  /** The document of a manifest id (the `sha256Hash` a client names). */
  byId: ReadonlyMap<string, string>;
  /** The SHA-256 (hex) of every document's text: a client that sends the text itself is matched by it. */
  textHashes: ReadonlySet<string>;
}

const MAX_ID = 128;
const MAX_DOCUMENT = 1_000_000;
const id = z.string().min(1).max(MAX_ID);
const body = z.string().min(1).max(MAX_DOCUMENT);

/** `{ "<sha256>": "query …" }`, as most persisted-document tools write it. */
const plainManifest = z.record(id, body);

/** Apollo's persisted query list (`generate-persisted-query-manifest`). */
const apolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1).optional(),
  operations: z.array(
    z.object({
      id,
      body,
      name: z.string().optional(),
      type: z.enum(['query', 'mutation', 'subscription']).optional(),
    }),
  ),
});

function notAManifest(file: string, error: z.ZodError): Error {
  const first = error.issues[0];
  const where = first?.path.join('.') || 'root';
  return new Error(
    `TRUSTED_DOCUMENTS_PATH: ${file} is not a trusted-documents manifest (${where}: ${first?.message})`,
  );
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Reads a trusted-documents manifest (TRUSTED_DOCUMENTS_PATH): either a JSON object of operation hash
 * → document, or Apollo's persisted query list. A missing or malformed file throws, naming the file:
 * a gateway told to hold partners to a manifest does not start without one.
 */
export function loadTrustedDocuments(file: string): TrustedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`TRUSTED_DOCUMENTS_PATH: cannot read ${file}: ${(err as Error).message}`);
  }
  const isApollo = typeof json === 'object' && json !== null && 'format' in json;
  let entries: [string, string][];
  if (isApollo) {
    const parsed = apolloManifest.safeParse(json);
    if (!parsed.success) throw notAManifest(file, parsed.error);
    entries = parsed.data.operations.map((o) => [o.id, o.body]);
  } else {
    const parsed = plainManifest.safeParse(json);
    if (!parsed.success) throw notAManifest(file, parsed.error);
    entries = Object.entries(parsed.data);
  }
  if (entries.length === 0) throw new Error(`TRUSTED_DOCUMENTS_PATH: ${file} lists no operation`);
  return {
    byId: new Map(entries),
    textHashes: new Set(entries.map(([, text]) => sha256(text))),
  };
}
