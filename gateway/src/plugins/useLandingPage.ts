import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GatewayPlugin } from './gatewayPlugin.js';

/** The embedded explorer in development; in production a plain page that loads nothing remote. */
export function useLandingPage(production: boolean): GatewayPlugin {
  return {
    name: 'landing-page',
    apolloPlugins: [
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  };
}
