import {
  checkClientId,
  checkSlugs,
  checkText,
  DateTimeScalar,
  type EventBus,
  type GraphQLResolverMap,
  insertOnce,
  type MeshEvent,
  meshEvent,
  newId,
  notFound,
  paginateById,
  type RequestContext,
  type UserConsentChangedData,
  type UserCreatedData,
} from '@attention-mesh/platform';
import type { UsersLoaders } from '../loaders.js';
import type { ConsentDoc, UserDoc } from '../models/User.js';
import type { UsersModels } from '../server.js';
import { checkCountry, checkEmail, checkLocale, checkTimezone } from '../userInput.js';

export interface UsersContext {
  models: UsersModels;
  loaders: UsersLoaders;
  events: EventBus;
}
type Ctx = RequestContext & UsersContext;

interface ConsentInput {
  personalization?: boolean | null;
  adsPersonalization?: boolean | null;
  analytics?: boolean | null;
}
interface CreateUserInput {
  id?: string | null;
  displayName: string;
  email?: string | null;
  country?: string | null;
  locale: string;
  timezone: string;
  segments: string[];
  consent?: ConsentInput | null;
}
type UpdateUserInput = Partial<Omit<CreateUserInput, 'id' | 'consent'>>;

function mergeConsent(
  current: ConsentDoc | undefined,
  input: ConsentInput | null | undefined,
  now: number,
): ConsentDoc {
  return {
    personalization: input?.personalization ?? current?.personalization ?? false,
    adsPersonalization: input?.adsPersonalization ?? current?.adsPersonalization ?? false,
    analytics: input?.analytics ?? current?.analytics ?? false,
    updatedAt: now,
  };
}

function userKey(id: string) {
  return { __typename: 'User', id };
}

function consentChanged(userId: string, consent: ConsentDoc): MeshEvent<UserConsentChangedData> {
  const data: UserConsentChangedData = {
    personalization: consent.personalization,
    adsPersonalization: consent.adsPersonalization,
    analytics: consent.analytics,
    updatedAt: consent.updatedAt,
  };
  return meshEvent('user.consent.changed', userKey(userId), data, { userId, occurredAt: consent.updatedAt });
}

async function loadOrFail(ctx: Ctx, id: string): Promise<UserDoc> {
  const user = await ctx.loaders.user.load(id);
  if (!user) throw notFound('User', id);
  return user;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_: unknown, { id }: { id: string }, ctx: Ctx) => ctx.loaders.user.load(id),
    users: (_: unknown, args: { first: number; after?: string | null }, ctx: Ctx) =>
      paginateById<UserDoc>(ctx.models.User, {}, args),
  },
  Mutation: {
    async createUser(_: unknown, { input }: { input: CreateUserInput }, ctx: Ctx) {
      const now = Date.now();
      const doc: UserDoc = {
        _id: input.id ? checkClientId(input.id, 'input.id') : newId('usr', now),
        displayName: checkText(input.displayName, 'input.displayName', 100),
        email: checkEmail(input.email, 'input.email'),
        country: checkCountry(input.country, 'input.country'),
        locale: checkLocale(input.locale, 'input.locale'),
        timezone: checkTimezone(input.timezone, 'input.timezone'),
        segments: checkSlugs(input.segments, 'input.segments', 50, 'segment'),
        consent: mergeConsent(undefined, input.consent, now),
        createdAt: now,
        updatedAt: now,
      };
      const stored = await insertOnce(ctx.models.User, doc);
      // insertOnce returns our own document only when this call inserted it; a repeat (or the loser of
      // a race on the same id) gets the stored one, and publishes nothing.
      if (stored === doc) {
        const created: UserCreatedData = {
          country: doc.country ?? null,
          locale: doc.locale,
          timezone: doc.timezone,
          segments: doc.segments,
          createdAt: doc.createdAt,
        };
        await ctx.events.publish([
          meshEvent('user.created', userKey(doc._id), created, { userId: doc._id, occurredAt: now }),
          consentChanged(doc._id, doc.consent),
        ]);
      }
      return stored;
    },
    async updateUser(_: unknown, { id, input }: { id: string; input: UpdateUserInput }, ctx: Ctx) {
      const set: Partial<UserDoc> = { updatedAt: Date.now() };
      if (input.displayName != null) set.displayName = checkText(input.displayName, 'input.displayName', 100);
      if (input.email !== undefined) set.email = checkEmail(input.email, 'input.email');
      if (input.country !== undefined) set.country = checkCountry(input.country, 'input.country');
      if (input.locale != null) set.locale = checkLocale(input.locale, 'input.locale');
      if (input.timezone != null) set.timezone = checkTimezone(input.timezone, 'input.timezone');
      if (input.segments != null) set.segments = checkSlugs(input.segments, 'input.segments', 50, 'segment');
      await loadOrFail(ctx, id);
      await ctx.models.User.updateOne({ _id: id }, { $set: set });
      return ctx.models.User.findById(id).lean<UserDoc>();
    },
    async updateConsent(
      _: unknown,
      { userId, consent }: { userId: string; consent: ConsentInput },
      ctx: Ctx,
    ) {
      const user = await loadOrFail(ctx, userId);
      const now = Date.now();
      const merged = mergeConsent(user.consent, consent, now);
      await ctx.models.User.updateOne({ _id: userId }, { $set: { consent: merged, updatedAt: now } });
      await ctx.events.publish([consentChanged(userId, merged)]);
      return ctx.models.User.findById(userId).lean<UserDoc>();
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.user.load(ref.id),
    id: (user: UserDoc) => user._id,
  },
};
