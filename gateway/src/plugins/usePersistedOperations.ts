import type { ApolloServerPlugin, GraphQLRequest, PersistedQueryOptions } from '@apollo/server';
import { ErrorCode, meshError } from '@attention-mesh/platform';
import type { GatewayContext } from '../context.js';
import { DocumentCache } from '../persisted/documentCache.js';
import { loadTrustedDocuments, sha256, type TrustedDocuments } from '../persisted/trustedDocuments.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

export interface PersistedOperationsOptions {
  /** The trusted-documents manifest partners are held to (TRUSTED_DOCUMENTS_PATH); none: no restriction. */
  trustedDocumentsFile?: string;
  /** The automatic persisted queries' in-memory store, in bytes of document text (APQ_CACHE_MB). */
  apqCacheBytes: number;
}

/**
 * The plugin, with the `persistedQueries` option Apollo Server takes for APQ and the documents known
 * ahead of their requests (the manifest's, then those registered through APQ) for plan warm-up.
 */
export type PersistedOperations = GatewayPlugin & {
  persistedQueries: PersistedQueryOptions;
  documents(): Iterable<string>;
};

/**
 * Persisted operations. Automatic persisted queries for everyone (Apollo's
 * `extensions.persistedQuery.sha256Hash` protocol: an unknown hash gets Apollo's standard
 * `PERSISTED_QUERY_NOT_FOUND`, the client sends the text once with its hash, then the hash alone),
 * over a bounded store. With a trusted-documents manifest, an operation named by a manifest id runs
 * the manifest's document for anyone, and partners (API-key callers) may run nothing else: a partner
 * request names a manifest id or sends a document whose text is in the manifest, else it is refused
 * with `PERSISTED_QUERY_NOT_FOUND` (400) before the document is even parsed. People are not restricted.
 */
export function usePersistedOperations(opts: PersistedOperationsOptions): PersistedOperations {
  const trusted = opts.trustedDocumentsFile ? loadTrustedDocuments(opts.trustedDocumentsFile) : undefined;
  const cache = new DocumentCache(opts.apqCacheBytes);
  return {
    name: 'persisted-operations',
    persistedQueries: { cache, ttl: null },
    *documents() {
      if (trusted) yield* new Set(trusted.byId.values());
      yield* [...cache.documents()];
    },
    apolloPlugins: [apqRequestErrors, ...(trusted ? [trustedDocumentsPlugin(trusted)] : [])],
  };
}

/** Apollo's refusals of a malformed APQ request, which come without a code (and would be masked). */
const APQ_REQUEST_ERRORS = new Set([
  'provided sha does not match query',
  'Unsupported persisted query version',
]);

/** Gives Apollo's APQ request errors the code `BAD_REQUEST`, so the client reads why (400). */
const apqRequestErrors: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ request }) {
    if (!request.extensions?.persistedQuery) return;
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors)
          if (error.extensions.code === undefined && APQ_REQUEST_ERRORS.has(error.message))
            (error.extensions as Record<string, unknown>).code = 'BAD_REQUEST';
      },
    };
  },
};

/** Stands in for a refused partner document, so that nothing of it is parsed before the refusal. */
const REFUSED_SOURCE = '{ __typename }';

const hashOf = (request: GraphQLRequest): string | undefined => {
  const hash = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
};

/** The request without its `persistedQuery` extension: the source is the manifest's, not the APQ store's. */
function withSource(request: GraphQLRequest, source: string): void {
  request.query = source;
  const { persistedQuery: _named, ...extensions } = request.extensions ?? {};
  request.extensions = extensions;
}

function trustedDocumentsPlugin(trusted: TrustedDocuments): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const hash = hashOf(request);
      const named = hash === undefined ? undefined : trusted.byId.get(hash);
      if (named !== undefined) {
        withSource(request, named);
        return;
      }
      if (contextValue.caller.partnerId === undefined) return;
      if (typeof request.query === 'string' && trusted.textHashes.has(sha256(request.query))) return;
      const refusal = meshError(
        ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        hash === undefined
          ? 'This document is not one of the trusted documents: API keys may run only the operations of the ' +
              "gateway's manifest (send the operation's id as extensions.persistedQuery.sha256Hash)"
          : `Operation ${hash.slice(0, 80)} is not one of the trusted documents: API keys may run only the ` +
              "operations of the gateway's manifest",
        { http: { status: 400 } },
      );
      withSource(request, REFUSED_SOURCE);
      return {
        async didResolveOperation() {
          throw refusal;
        },
      };
    },
  };
}
