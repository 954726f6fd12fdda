import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { createHttpService } from '@attention-mesh/platform';
import type { GatewayContext } from '../context.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

export interface HardeningOptions {
  production: boolean;
  /** The browser origins allowed (CORS_ORIGINS), or `localhost`: any local origin (development's default). */
  corsOrigins: readonly string[] | 'localhost';
  /** Serve the landing page (LANDING_PAGE; default: on except in production). */
  landingPage: boolean;
}

type HttpSecurityOptions = NonNullable<Parameters<typeof createHttpService>[0]['security']>;

/** The plugin, with what the HTTP layer and Apollo Server take from it. */
export type Hardening = GatewayPlugin & {
  /** CORS and HSTS for `createHttpService` (the other security headers go on every answer). */
  http: HttpSecurityOptions;
  /** Apollo Server's own switch: no "Did you mean …?" in validation errors. */
  hideSchemaDetailsFromClientErrors: boolean;
};

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Any http(s) origin on this machine: Sandbox and local front ends in development. */
function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** What graphql-js appends to an unknown field, argument, type or enum value: the schema, guessed at. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Strips suggestions from every error a client gets, whoever raised it (Apollo's own switch covers its
 * validation only, not the partner contract's validation nor variable coercion).
 */
const withoutSuggestions = (): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (!errors?.some((e) => SUGGESTION.test(e.message))) return;
        response.body.singleResult.errors = errors.map((e) =>
          SUGGESTION.test(e.message) ? { ...e, message: e.message.replace(SUGGESTION, '') } : e,
        );
      },
    };
  },
});

/**
 * Production hardening: no field suggestions in production; the CORS allow-list; security headers on
 * every answer (nosniff, no referrer, no framing, a strict Content-Security-Policy except on the
 * landing page, HSTS in production: see `createHttpService`); the landing page (the embedded Sandbox
 * in development, Apollo's production page in production) only when enabled.
 */
export function useHardening(opts: HardeningOptions): Hardening {
  const listed = opts.corsOrigins === 'localhost' ? undefined : new Set(opts.corsOrigins);
  const landingPage = !opts.landingPage
    ? ApolloServerPluginLandingPageDisabled()
    : opts.production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false });
  return {
    name: 'hardening',
    apolloPlugins: [landingPage, ...(opts.production ? [withoutSuggestions()] : [])],
    http: {
      allowOrigin: listed ? (origin) => listed.has(origin) : isLocalOrigin,
      hsts: opts.production,
    },
    hideSchemaDetailsFromClientErrors: opts.production,
  };
}
