import {
  badUserInput,
  type Caller,
  ErrorCode,
  type EventBus,
  insertNew,
  isAuthenticated,
  isClientId,
  isSelf,
  meshError,
} from '@attention-mesh/platform';
import type { GraphQLError } from 'graphql';
import type { FeedbackDoc } from '../models/index.js';
import { checkFeedback, type FeedbackSignal } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';
import { applyStored } from './applyStored.js';
import { toFeedbackDoc } from './feedbackDoc.js';

export interface RejectedFeedback {
  index: number;
  /** Null when the client id itself is malformed (not echoed). */
  clientId: string | null;
  field: string;
  message: string;
  /** BAD_USER_INPUT (a malformed item) or USER_ERASED (an erased user id). */
  code: string;
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedFeedback[];
  /** The stored signal of every item not rejected (new or duplicate), in input order. */
  feedback: FeedbackDoc[];
}

/**
 * Refuses the whole batch when it holds a signal the caller may not send (another person's: every
 * item's userId must be the caller's, any for an admin): FORBIDDEN (UNAUTHENTICATED without a caller),
 * `extensions.index` the first such item, nothing stored — as recordAttention does.
 */
export function requireBatchRights(caller: Caller, inputs: readonly { userId: string }[]): void {
  const index = inputs.findIndex((i) => !isSelf(caller, i.userId));
  if (index < 0) return;
  const message = `inputs[${index}] is another user's signal: a person sends only their own`;
  throw meshError(isAuthenticated(caller) ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHENTICATED, message, {
    index,
    field: `inputs[${index}].userId`,
  });
}

/** Checks each item alone: the stored docs to insert (input order) and the rejections by index. Pure. */
export function checkBatch(inputs: readonly FeedbackSignal[], now: number, maxBatch: number) {
  if (inputs.length < 1 || inputs.length > maxBatch)
    throw badUserInput(`inputs must hold 1-${maxBatch} signals, got ${inputs.length}`, 'inputs');
  const docs: { index: number; doc: FeedbackDoc }[] = [];
  const rejected: RejectedFeedback[] = [];
  inputs.forEach((input, index) => {
    try {
      docs.push({ index, doc: toFeedbackDoc(input, checkFeedback(input, now, `inputs[${index}]`), now) });
    } catch (err) {
      const ext = (err as GraphQLError).extensions;
      if (ext?.code !== ErrorCode.BAD_USER_INPUT) throw err;
      rejected.push({
        index,
        clientId: isClientId(input.clientId) ? input.clientId : null,
        field: String(ext.field ?? `inputs[${index}]`),
        message: (err as Error).message,
        code: ErrorCode.BAD_USER_INPUT,
      });
    }
  });
  return { docs, rejected };
}

/** Moves the items of erased user ids from `docs` to `rejected` (USER_ERASED, by index). */
async function rejectErased(
  runtime: FeedbackRuntime,
  checked: ReturnType<typeof checkBatch>,
): Promise<ReturnType<typeof checkBatch>> {
  const erased = await runtime.tombstones.erasedAmong(checked.docs.map((d) => d.doc.userId));
  if (erased.size === 0) return checked;
  const rejected = [...checked.rejected];
  for (const { index, doc } of checked.docs)
    if (erased.has(doc.userId))
      rejected.push({
        index,
        clientId: doc.clientId,
        field: `inputs[${index}].userId`,
        message: `inputs[${index}].userId: this user id was erased and accepts no new data`,
        code: ErrorCode.USER_ERASED,
      });
  rejected.sort((a, b) => a.index - b.index);
  return { docs: checked.docs.filter((d) => !erased.has(d.doc.userId)), rejected };
}

/**
 * submitFeedbackBatch, for SDKs: the access rule refuses the whole batch (see requireBatchRights);
 * then each item is checked alone, a bad one rejected by its index without holding back the others;
 * the good ones are stored in one unordered multi-row insert, once per (userId, clientId) as
 * submitFeedback does (a repeat, in this batch or an earlier call, is a duplicate counted nothing;
 * an item of an erased user id is rejected, USER_ERASED),
 * and what they add to summaries, user indexes, events and complaint checks follows once for all.
 */
export async function submitFeedbackBatch(
  runtime: FeedbackRuntime,
  events: EventBus,
  caller: Caller,
  inputs: readonly FeedbackSignal[],
  now = Date.now(),
): Promise<BatchResult> {
  requireBatchRights(caller, inputs);
  const { docs, rejected } = await rejectErased(runtime, checkBatch(inputs, now, runtime.settings.maxBatch));
  const stored = await insertNew(
    runtime.Feedback,
    docs.map((d) => d.doc),
  );
  const storedById = new Map(stored.map((d) => [d._id, d]));
  // Duplicates answer with what was stored first (by exact `_id`).
  const repeats = [...new Set(docs.map((d) => d.doc._id).filter((id) => !storedById.has(id)))];
  const earlier = new Map<string, FeedbackDoc>();
  for (const doc of await Promise.all(repeats.map((id) => runtime.Feedback.findById(id).lean<FeedbackDoc>())))
    if (doc) earlier.set(doc._id, doc);
  // A client id twice in one batch: its first occurrence is stored, the later ones are duplicates.
  const firstOf = new Set<string>();
  const feedback: FeedbackDoc[] = [];
  let accepted = 0;
  for (const { doc } of docs) {
    if (storedById.has(doc._id) && !firstOf.has(doc._id)) accepted++;
    firstOf.add(doc._id);
    feedback.push(storedById.get(doc._id) ?? earlier.get(doc._id) ?? doc);
  }
  await applyStored(runtime, events, stored);
  return { accepted, duplicates: docs.length - accepted, rejected, feedback };
}
