import { DateTimeScalar, type GraphQLResolverMap, MicrosScalar } from '@attention-mesh/platform';
import { campaignResolvers } from './campaigns.js';
import type { Ctx } from './context.js';
import { decisionResolvers } from './decisions.js';
import { reportResolvers } from './reports.js';

export type { AdsContext } from './context.js';

/** Merges the resolver maps of each concern (type by type). */
function merge(...maps: GraphQLResolverMap<Ctx>[]): GraphQLResolverMap<Ctx> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      out[type] = { ...out[type], ...(fields as Record<string, unknown>) };
    }
  }
  return out as GraphQLResolverMap<Ctx>;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Micros: MicrosScalar,
  ...merge(campaignResolvers, decisionResolvers, reportResolvers),
};
