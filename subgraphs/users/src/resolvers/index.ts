import { DateTimeScalar, type GraphQLResolverMap } from '@attention-mesh/platform';
import { updateConsent } from '../consent/updateConsent.js';
import type {
  MutationCreateUserArgs,
  MutationUpdateConsentArgs,
  MutationUpdateUserArgs,
  QueryUserArgs,
  QueryUsersArgs,
} from '../generated/resolvers.js';
import type { UserDoc } from '../models/User.js';
import { createUser, type NewUserInput } from '../profile/createUser.js';
import { listUsers } from '../profile/listUsers.js';
import { updateUser } from '../profile/updateUser.js';
import type { Context } from './context.js';

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_: unknown, { id }: QueryUserArgs, ctx: Context) => ctx.loaders.user.load(id),
    users: (_: unknown, { first, after }: QueryUsersArgs, ctx: Context) =>
      listUsers(ctx.runtime, { first: first as number, after }),
  },
  Mutation: {
    // GraphQL has filled in the SDL's defaults, which the generated input type leaves optional.
    createUser: (_: unknown, { input }: MutationCreateUserArgs, ctx: Context) =>
      createUser(ctx.runtime, ctx.events, input as NewUserInput),
    updateUser: (_: unknown, { id, input }: MutationUpdateUserArgs, ctx: Context) =>
      updateUser(ctx.runtime, id, input),
    updateConsent: (_: unknown, { userId, consent }: MutationUpdateConsentArgs, ctx: Context) =>
      updateConsent(ctx.runtime, ctx.events, userId, consent),
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.user.load(ref.id),
    id: (user: UserDoc) => user._id,
  },
};
