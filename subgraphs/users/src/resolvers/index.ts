import { DateTimeScalar } from '@attention-mesh/platform';
import { updateConsent } from '../consent/updateConsent.js';
import type { Resolvers } from '../generated/resolvers.js';
import { createUser, type NewUserInput } from '../profile/createUser.js';
import { listUsers } from '../profile/listUsers.js';
import { updateUser } from '../profile/updateUser.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_, { id }, ctx) => ctx.loaders.user.load(id),
    users: (_, args, ctx) => listUsers(ctx.runtime, args),
  },
  Mutation: {
    // GraphQL has filled in the SDL's defaults, which the generated input type leaves optional.
    createUser: (_, { input }, ctx) => createUser(ctx.runtime, ctx.events, input as NewUserInput),
    updateUser: (_, { id, input }, ctx) => updateUser(ctx.runtime, id, input),
    updateConsent: (_, { userId, consent }, ctx) => updateConsent(ctx.runtime, ctx.events, userId, consent),
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.user.load(ref.id),
    id: (user) => user._id,
  },
};
