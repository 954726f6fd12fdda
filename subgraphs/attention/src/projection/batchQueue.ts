import type { CounterUpdate, EventBus } from '@attention-mesh/platform';
import type { AttentionViewDoc } from '../models/index.js';
import type { MeasuredEvent } from './rollups.js';

/** What one stored batch of events changes in the derived data. */
export interface ProjectionBatch {
  views: AttentionViewDoc[];
  /** `<userId>|<sessionId>` of the batch's signed-in events. */
  sessions: string[];
  rollups: Map<string, CounterUpdate>;
  totals: Map<string, CounterUpdate>;
  profiles: Map<string, CounterUpdate>;
  /** For the `attention.recorded` summaries, published once the counters are stored. */
  measured: MeasuredEvent[];
  events?: EventBus;
}

/**
 * The batches accepted but not yet written, and the backpressure on ingestion: `admit` waits while
 * `maxPending` of them are still being written.
 */
export class BatchQueue {
  private batches: ProjectionBatch[] = [];
  private pending = 0;
  private roomWaiters: (() => void)[] = [];

  constructor(private readonly maxPending: number) {}

  /** Waits while too many batches are still being written. */
  async admit(): Promise<void> {
    while (this.pending >= this.maxPending) await new Promise<void>((r) => this.roomWaiters.push(r));
  }

  push(batch: ProjectionBatch): void {
    this.batches.push(batch);
    this.pending++;
  }

  /** Whether batches wait for the next flush. */
  get queued(): boolean {
    return this.batches.length > 0;
  }

  /** Whether half the room is taken: the flush should not wait for its cadence. */
  get pressing(): boolean {
    return this.pending >= this.maxPending / 2;
  }

  /** The batches for a flush; they keep their room until `written`. */
  take(): ProjectionBatch[] {
    return this.batches.splice(0);
  }

  /** Frees the room of `count` written batches and wakes the callers waiting in `admit`. */
  written(count: number): void {
    this.pending -= count;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}
