import { DateTimeScalar, MicrosScalar, type ResolverMap } from '@attention-mesh/platform';
import { guardAdvertiserFields } from './advertiserFields.js';
import { campaignResolvers } from './campaigns.js';
import { decisionResolvers } from './decisions.js';
import { reportResolvers } from './reports.js';

/** Merges the resolver maps of each concern (type by type). */
function merge(...maps: ResolverMap[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      out[type] = { ...out[type], ...(fields as Record<string, unknown>) };
    }
  }
  return out;
}

export const resolvers: ResolverMap = {
  DateTime: DateTimeScalar,
  Micros: MicrosScalar,
  ...guardAdvertiserFields(merge(campaignResolvers, decisionResolvers, reportResolvers)),
};
