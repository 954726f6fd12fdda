import type { CatalogEvent } from '@attention-mesh/platform';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { CoalescingQueue } from './coalescingQueue.js';
import type { PreparedSubscription } from './prepareSubscription.js';

/** The error code of the last payload of a subscription closed for falling behind. */
export const SLOW_CONSUMER = 'SLOW_CONSUMER';

export interface LiveSubscriptionOptions {
  prepared: PreparedSubscription;
  /** Events pending (after coalescing) before the subscription is closed as too slow. */
  queueSize: number;
  /** Resolves one event into the client's payload. */
  resolve(prepared: PreparedSubscription, event: CatalogEvent): Promise<ExecutionResult>;
  /** The subscription ended (completed by the client, its connection closed, or too slow). */
  onEnd(subscription: LiveSubscription): void;
  /** It fell `queueSize` events behind: the transport closes it with its clear signal. */
  onOverflow(subscription: LiveSubscription, reason: string): void;
}

/**
 * One client's subscription: matching events go into a bounded queue coalesced by entity
 * (`SubscriptionField.coalesceKey`), and each pull of the iterator resolves the oldest into the payload.
 * The transport pulls the next payload only once the previous one was sent, so a slow client leaves
 * events pending here; when the queue is full the subscription ends (a last payload with a
 * SLOW_CONSUMER error, and the transport's close signal), never holding more than `queueSize` events.
 */
export class LiveSubscription implements AsyncGenerator<ExecutionResult, undefined, unknown> {
  private readonly queue: CoalescingQueue<CatalogEvent>;
  private wake: (() => void) | undefined;
  private ended = false;
  private overflow: string | undefined;

  constructor(private readonly opts: LiveSubscriptionOptions) {
    this.queue = new CoalescingQueue(opts.queueSize);
  }

  get prepared(): PreparedSubscription {
    return this.opts.prepared;
  }

  /** Pending events (tests, metrics). */
  get pending(): number {
    return this.queue.size;
  }

  /** A matching event arrived (from the gateway's one bus subscription). */
  push(event: CatalogEvent): void {
    if (this.ended || this.overflow) return;
    if (!this.queue.push(this.opts.prepared.field.coalesceKey(event), event)) {
      this.overflow = `slow consumer: ${this.opts.queueSize} events of ${this.opts.prepared.field.name} pending`;
      this.queue.clear();
      this.opts.onOverflow(this, this.overflow);
    }
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      if (this.ended) return { done: true, value: undefined };
      if (this.overflow) {
        const message = this.overflow;
        this.end();
        return {
          done: false,
          value: { errors: [new GraphQLError(message, { extensions: { code: SLOW_CONSUMER } })] },
        };
      }
      const event = this.queue.shift();
      if (event) return { done: false, value: await this.opts.resolve(this.opts.prepared, event) };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    return { done: true, value: undefined };
  }

  async throw(err: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
  }

  /** Ends it now: nothing more is queued or sent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.clear();
    this.wake?.();
    this.opts.onEnd(this);
  }
}
