import type { MeshEvent } from '@attention-mesh/platform';

export type UpdateReason = 'SEQUENCE' | 'HIDDEN' | 'MODEL' | 'CONSENT';

/** Which reason a coalesced event carries when a window saw several: the most telling one. */
const RANK: Record<UpdateReason, number> = { MODEL: 0, SEQUENCE: 1, HIDDEN: 2, CONSENT: 3 };

export interface UpdateNotifierOptions {
  /** Coalescing window, ms: at most one event per user per window (0 = publish at the next tick). */
  windowMs: number;
  /** Builds the `recommendations.updated` event of one user (the model version is read at publish time). */
  build(userId: string, reason: UpdateReason): MeshEvent;
  /** Publishes a batch of events (the bus). */
  publish(events: MeshEvent[]): Promise<void>;
  /** Most events per publish call (default 500). */
  maxBatch?: number;
  onError?(err: unknown): void;
}

/**
 * Publishes `recommendations.updated` per user, coalesced: changes to one user within a window become
 * one event, sent when the window ends, so a burst of feedback does not publish hundreds of events.
 * The window starts with the first change after a flush (a steady stream gets one event per window, not
 * none). An event is never lost to coalescing: a user changed after the flush began waits for the next
 * one, and a failed publish puts its users back for the next window. Within a window the strongest
 * reason wins (CONSENT over HIDDEN over SEQUENCE over MODEL): subscribers re-read the recommendations either way.
 */
export class UpdateNotifier {
  private pending = new Map<string, UpdateReason>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  /** Events published since start (for tests and metrics). */
  published = 0;

  constructor(private readonly opts: UpdateNotifierOptions) {}

  notify(userId: string, reason: UpdateReason): void {
    const prev = this.pending.get(userId);
    if (prev === undefined || RANK[reason] > RANK[prev]) this.pending.set(userId, reason);
    this.schedule();
  }

  /** Users waiting for their event. */
  /** Drops a user's pending announcement (erasure: nothing more is published about them). */
  cancel(userId: string): void {
    this.pending.delete(userId);
  }

  get waiting(): number {
    return this.pending.size;
  }

  /** Publishes whatever is pending now (awaits a flush in progress first). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    this.flushing = this.publishPending().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  /** Publishes what is pending and stops scheduling. */
  async stop(): Promise<void> {
    await this.flush().catch((err: unknown) => this.opts.onError?.(err));
    this.stopped = true;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) => this.opts.onError?.(err));
    }, this.opts.windowMs);
    this.timer.unref?.();
  }

  private async publishPending(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const max = this.opts.maxBatch ?? 500;
    const entries = [...batch];
    for (let i = 0; i < entries.length; i += max) {
      const slice = entries.slice(i, i + max);
      try {
        await this.opts.publish(slice.map(([userId, reason]) => this.opts.build(userId, reason)));
        this.published += slice.length;
      } catch (err) {
        // Back in the queue (a newer change of the same user keeps its own reason if stronger).
        for (const [userId, reason] of entries.slice(i)) {
          const now = this.pending.get(userId);
          if (now === undefined || RANK[reason] > RANK[now]) this.pending.set(userId, reason);
        }
        this.schedule();
        throw err;
      }
    }
  }
}
