import { DateTimeScalar } from '@attention-mesh/platform';
import type { Resolvers } from '../generated/resolvers.js';
import { findFeedback } from '../history/findFeedback.js';
import { listUserFeedback } from '../history/listUserFeedback.js';
import { submitFeedback } from '../ingest/submitFeedback.js';
import { submitFeedbackBatch } from '../ingest/submitFeedbackBatch.js';
import { summarize } from '../summaries/summarize.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    feedback: (_, { id }, ctx) => findFeedback(ctx.loaders, ctx.caller, id),
  },
  Mutation: {
    submitFeedback: (_, { input }, ctx) => submitFeedback(ctx.runtime, ctx.events, ctx.caller, input),
    submitFeedbackBatch: (_, { inputs }, ctx) =>
      submitFeedbackBatch(ctx.runtime, ctx.events, ctx.caller, inputs),
  },
  Feedback: {
    // A reference is read like `Query.feedback`: the sender's (or an admin's) only.
    __resolveReference: (ref, ctx) => findFeedback(ctx.loaders, ctx.caller, ref.id),
    id: (f) => f._id,
    user: (f) => ({ id: f.userId }),
    target: (f) => ({ __typename: f.targetType === 'ITEM' ? 'Item' : 'Ad', id: f.targetId }),
  },
  FeedbackTarget: {
    __resolveType: (t) => t.__typename,
  },
  User: {
    feedback: (user, args, ctx) =>
      listUserFeedback(ctx.runtime.userIndex, ctx.loaders, ctx.caller, user.id, args),
  },
  Item: {
    feedbackSummary: async (item, _, ctx) => summarize(await ctx.loaders.summary.load(`ITEM:${item.id}`)),
  },
  Ad: {
    feedbackSummary: async (ad, _, ctx) => summarize(await ctx.loaders.summary.load(`AD:${ad.id}`)),
  },
};
