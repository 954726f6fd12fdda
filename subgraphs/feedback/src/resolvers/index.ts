import { DateTimeScalar, type GraphQLResolverMap } from '@attention-mesh/platform';
import type {
  MutationSubmitFeedbackArgs,
  QueryFeedbackArgs,
  UserFeedbackArgs,
} from '../generated/resolvers.js';
import { listUserFeedback } from '../history/listUserFeedback.js';
import { submitFeedback } from '../ingest/submitFeedback.js';
import type { FeedbackDoc } from '../models/index.js';
import { summarize } from '../summaries/summarize.js';
import type { Context } from './context.js';

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Query: {
    feedback: (_: unknown, { id }: QueryFeedbackArgs, ctx: Context) => ctx.loaders.feedback.load(id),
  },
  Mutation: {
    submitFeedback: (_: unknown, { input }: MutationSubmitFeedbackArgs, ctx: Context) =>
      submitFeedback(ctx.runtime, ctx.events, input),
  },
  Feedback: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.feedback.load(ref.id),
    id: (f: FeedbackDoc) => f._id,
    user: (f: FeedbackDoc) => ({ id: f.userId }),
    target: (f: FeedbackDoc) => ({ __typename: f.targetType === 'ITEM' ? 'Item' : 'Ad', id: f.targetId }),
  },
  FeedbackTarget: {
    __resolveType: (t: { __typename: string }) => t.__typename,
  },
  User: {
    // `first` has its SDL default by the time a resolver runs.
    feedback: (user: { id: string }, { first, after, kind }: UserFeedbackArgs, ctx: Context) =>
      listUserFeedback(ctx.runtime, user.id, { first: first as number, after, kind }),
  },
  Item: {
    feedbackSummary: async (item: { id: string }, _: unknown, ctx: Context) =>
      summarize(await ctx.loaders.summary.load(`ITEM:${item.id}`)),
  },
  Ad: {
    feedbackSummary: async (ad: { id: string }, _: unknown, ctx: Context) =>
      summarize(await ctx.loaders.summary.load(`AD:${ad.id}`)),
  },
};
