import { type Caller, hasScope, isAdmin, requireAdvertiserOrAnalyst, Scope } from '@attention-mesh/platform';
import type { AdDoc, AdvertiserDoc, CampaignDoc } from '../models/index.js';
import type { Context } from './context.js';

type OwnerId = string | null | undefined;
type FieldResolver = (parent: never, args: unknown, ctx: Context, info: unknown) => unknown;

/**
 * The fields the schema gives to `@policy(advertiser | analyst | admin)` on the types the subgraph owns,
 * with how to find the advertiser a parent belongs to. The policy lets that kind of caller in; these
 * fields then check that the data is the member's own advertiser's (analysts and admins read any).
 * A test keeps the lists equal to the schema's.
 */
export const ADVERTISER_FIELDS = {
  Advertiser: {
    owner: (a: AdvertiserDoc): OwnerId => a._id,
    fields: ['campaigns'],
  },
  Campaign: {
    owner: (c: CampaignDoc): OwnerId => c.advertiserId,
    fields: [
      'advertiser',
      'status',
      'dailyBudgetMicros',
      'totalBudgetMicros',
      'startAt',
      'endAt',
      'bidType',
      'bidMicros',
      'pacingMode',
      'targeting',
      'schedule',
      'frequencyCaps',
      'blockedCategories',
      'ads',
      'delivery',
      'pacing',
      'spentMicros',
      'createdAt',
      'updatedAt',
    ],
  },
  Ad: {
    // The campaign loader is the request's: many ads of a page cost one read.
    owner: async (a: AdDoc, ctx: Context): Promise<OwnerId> =>
      (await ctx.loaders.campaign.load(a.campaignId))?.advertiserId,
    fields: ['campaign', 'status', 'pausedReason', 'pausedAt', 'createdAt', 'performance'],
  },
} as const;

const readsAny = (caller: Caller) => isAdmin(caller) || hasScope(caller, Scope.ANALYTICS_READ);

/** One field behind the ownership check; a field without its own resolver reads the parent's property. */
function guarded(
  field: string,
  resolve: FieldResolver | undefined,
  owner: (parent: never, ctx: Context) => OwnerId | Promise<OwnerId>,
): FieldResolver {
  const read: FieldResolver = resolve ?? ((parent) => (parent as unknown as Record<string, unknown>)[field]);
  return (parent, args, ctx, info) => {
    if (readsAny(ctx.caller)) return read(parent, args, ctx, info);
    const id = owner(parent, ctx);
    if (id instanceof Promise)
      return id.then((advertiserId) => {
        requireAdvertiserOrAnalyst(ctx.caller, advertiserId);
        return read(parent, args, ctx, info);
      });
    requireAdvertiserOrAnalyst(ctx.caller, id);
    return read(parent, args, ctx, info);
  };
}

/** The resolver map with every field of `ADVERTISER_FIELDS` behind its parent's ownership check. */
export function guardAdvertiserFields(
  resolvers: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const out = { ...resolvers };
  for (const [type, { owner, fields }] of Object.entries(ADVERTISER_FIELDS)) {
    const own = { ...out[type] };
    for (const field of fields)
      own[field] = guarded(field, own[field] as FieldResolver | undefined, owner as never);
    out[type] = own;
  }
  return out;
}
