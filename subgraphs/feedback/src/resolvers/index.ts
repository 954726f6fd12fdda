import {
  DateTimeScalar,
  type EventBus,
  type GraphQLResolverMap,
  paginateById,
  type RequestContext,
} from '@attention-mesh/platform';
import type { FeedbackKind, SubmitFeedbackInput } from '../feedbackRules.js';
import type { FeedbackLoaders } from '../loaders.js';
import type { FeedbackDoc, FeedbackModels } from '../models/index.js';
import { submitFeedback } from '../submitFeedback.js';

export interface FeedbackContext {
  models: FeedbackModels;
  events: EventBus;
  loaders: FeedbackLoaders;
}
type Ctx = RequestContext & FeedbackContext;

async function summary(ctx: Ctx, key: string) {
  const s = await ctx.loaders.summary.load(key);
  const n = (k: keyof NonNullable<typeof s>) => (s ? Number(s[k]) || 0 : 0);
  return {
    clicks: n('clicks'),
    likes: n('likes'),
    dislikes: n('dislikes'),
    hides: n('hides'),
    complaints: n('complaints'),
    conversions: n('conversions'),
    ratingCount: n('ratingCount'),
    ratingAverage: n('ratingCount') > 0 ? n('ratingSum') / n('ratingCount') : null,
    dwellCount: n('dwellCount'),
    averageDwellSeconds: n('dwellCount') > 0 ? n('dwellMsSum') / n('dwellCount') / 1000 : null,
  };
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  DateTime: DateTimeScalar,
  Query: {
    feedback: (_: unknown, { id }: { id: string }, ctx: Ctx) => ctx.loaders.feedback.load(id),
  },
  Mutation: {
    submitFeedback: (_: unknown, { input }: { input: SubmitFeedbackInput }, ctx: Ctx) =>
      submitFeedback(ctx.models, input, ctx.events),
  },
  Feedback: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.feedback.load(ref.id),
    id: (f: FeedbackDoc) => f._id,
    user: (f: FeedbackDoc) => ({ id: f.userId }),
    target: (f: FeedbackDoc) => ({ __typename: f.targetType === 'ITEM' ? 'Item' : 'Ad', id: f.targetId }),
  },
  FeedbackTarget: {
    __resolveType: (t: { __typename: string }) => t.__typename,
  },
  User: {
    feedback: (
      user: { id: string },
      args: { first: number; after?: string | null; kind?: FeedbackKind | null },
      ctx: Ctx,
    ) =>
      paginateById<FeedbackDoc>(
        ctx.models.Feedback,
        args.kind ? { userId: user.id, kind: args.kind } : { userId: user.id },
        {
          ...args,
          order: -1,
        },
      ),
  },
  Item: {
    feedbackSummary: (item: { id: string }, _: unknown, ctx: Ctx) => summary(ctx, `ITEM:${item.id}`),
  },
  Ad: {
    feedbackSummary: (ad: { id: string }, _: unknown, ctx: Ctx) => summary(ctx, `AD:${ad.id}`),
  },
};
