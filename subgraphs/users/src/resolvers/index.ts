import { DateTimeScalar, requireSelf } from '@attention-mesh/platform';
import { createApiKey } from '../apiKeys/createApiKey.js';
import { identifyApiKey } from '../apiKeys/identifyApiKey.js';
import { listApiKeys } from '../apiKeys/listApiKeys.js';
import { revokeApiKey } from '../apiKeys/revokeApiKey.js';
import { updateConsent } from '../consent/updateConsent.js';
import { eraseUser } from '../erasure/eraseUser.js';
import { erasureView } from '../erasure/erasureStatus.js';
import { findErasure } from '../erasure/findErasure.js';
import type { Resolvers } from '../generated/resolvers.js';
import { chargePrivacyBudget } from '../privacy/chargePrivacyBudget.js';
import { privacyBudget } from '../privacy/privacyBudget.js';
import { createUser, type NewUserInput } from '../profile/createUser.js';
import { listUsers } from '../profile/listUsers.js';
import { updateUser } from '../profile/updateUser.js';
import { personal } from './personal.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_, { id }, ctx) => {
      requireSelf(ctx.caller, id);
      return ctx.loaders.user.load(id);
    },
    // The `self` policy let only a signed-in person through.
    me: (_, __, ctx) => (ctx.caller.userId ? ctx.loaders.user.load(ctx.caller.userId) : null),
    users: (_, args, ctx) => listUsers(ctx.runtime, args),
    apiKeys: (_, args, ctx) => listApiKeys(ctx.runtime, args),
    apiKeyIdentity: (_, { key }, ctx) => identifyApiKey(ctx.runtime, key),
    erasureStatus: async (_, { userId }, ctx) => {
      const doc = await findErasure(ctx.runtime, ctx.caller, userId);
      return doc ? erasureView(doc, ctx.runtime.settings.erasureServices) : null;
    },
    privacyBudget: (_, { partnerId }, ctx) => privacyBudget(ctx.runtime, ctx.caller, partnerId),
  },
  Mutation: {
    // GraphQL has filled in the SDL's defaults, which the generated input type leaves optional.
    createUser: (_, { input }, ctx) => createUser(ctx.runtime, ctx.events, input as NewUserInput),
    updateUser: (_, { id, input }, ctx) => updateUser(ctx.runtime, ctx.caller, id, input),
    updateConsent: (_, { userId, consent }, ctx) =>
      updateConsent(ctx.runtime, ctx.events, ctx.caller, userId, consent),
    eraseUser: async (_, { id }, ctx) =>
      erasureView(
        await eraseUser(ctx.runtime, ctx.events, ctx.caller, id),
        ctx.runtime.settings.erasureServices,
      ),
    createApiKey: (_, { input }, ctx) => createApiKey(ctx.runtime, input),
    revokeApiKey: (_, { id }, ctx) => revokeApiKey(ctx.runtime, id),
    chargePrivacyBudget: (_, args, ctx) => chargePrivacyBudget(ctx.runtime, args),
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.user.load(ref.id),
    id: (user) => user._id,
    displayName: personal('displayName'),
    email: personal('email'),
    country: personal('country'),
    locale: personal('locale'),
    timezone: personal('timezone'),
    segments: personal('segments'),
    consent: personal('consent'),
    createdAt: personal('createdAt'),
    updatedAt: personal('updatedAt'),
  },
};
