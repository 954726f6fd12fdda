import { type Caller, ErrorCode, hasScope, isAdmin, meshError, Scope } from '@attention-mesh/platform';

/** What of an event decides who may record it. */
export interface EventOwner {
  userId?: string | null;
}

/**
 * Whether `caller` may record an event of this owner. An admin records anything; a publisher key with
 * events:write records events of anonymous ids and of the person signed in through it; a person only
 * their own events (an event without userId is not theirs). Pure.
 */
export function mayRecord(caller: Caller, event: EventOwner): boolean {
  if (isAdmin(caller)) return true;
  const own = event.userId != null && caller.userId !== undefined && event.userId === caller.userId;
  if (caller.partnerId !== undefined && hasScope(caller, Scope.EVENTS_WRITE))
    return event.userId == null || own;
  return own;
}

/** The index of the first event `caller` may not record, or -1 when the whole batch is theirs to record. */
export function firstUnrecordable(caller: Caller, events: readonly EventOwner[]): number {
  return events.findIndex((e) => !mayRecord(caller, e));
}

/**
 * Refuses the whole batch (FORBIDDEN, `extensions.index` the first offending event) when it holds any
 * event the caller may not record: nothing of it is stored.
 */
export function requireRecordingRights(caller: Caller, events: readonly EventOwner[]): void {
  const index = firstUnrecordable(caller, events);
  if (index < 0) return;
  const userId = events[index]!.userId;
  const message =
    userId == null
      ? `events[${index}] has no userId: a person records only their own events`
      : `events[${index}] is another user's: a person records only their own events, a publisher key those of anonymous ids and of the person signed in through it`;
  throw meshError(ErrorCode.FORBIDDEN, message, { index, field: `events[${index}].userId` });
}
