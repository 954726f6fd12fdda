/** One thing a user did: a click, a view, a session with engaged time. */
export interface EngagementEvent {
  /** When it happened, epoch ms. */
  at: number;
  /** Optional strength, e.g. engaged seconds; counted as 1 when absent (Globo clicks use 1). */
  weight?: number;
}

/** A user's events, sorted by time (ascending). */
export interface UserHistory {
  events: readonly EngagementEvent[];
  /**
   * Epoch ms up to which the history is complete ("now" when it was read). Events at or after it are
   * ignored, and the gap between it and a slot is a feature. Default: each slot's start (the history is
   * complete up to the hour being predicted).
   */
  asOf?: number;
  /** The user's offset from UTC in minutes, for hour-of-day and day-of-week features (default 0, UTC). */
  utcOffsetMinutes?: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
