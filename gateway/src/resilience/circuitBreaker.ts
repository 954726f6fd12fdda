export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open before one probe call may pass. */
  cooldownMs: number;
  /** Told of every change of state (for the log). */
  onStateChange?: (state: BreakerState, consecutiveFailures: number) => void;
  now?: () => number;
}

/**
 * One subgraph's circuit breaker: after `threshold` consecutive failed calls it opens and calls fail
 * fast; after `cooldownMs` one probe call passes (half-open) and the others keep failing fast until
 * the probe's outcome closes the breaker again or reopens it for another cooldown.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go out now; a `true` while half-open makes that call the probe. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.options.cooldownMs) return false;
      this.change('half-open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.change('closed');
  }

  failed(): void {
    this.failures++;
    this.probing = false;
    if (
      this.current === 'half-open' ||
      (this.current === 'closed' && this.failures >= this.options.threshold)
    ) {
      this.openedAt = this.now();
      this.change('open');
    }
  }

  /** A call that ended without telling anything about the subgraph (the client's deadline). */
  released(): void {
    this.probing = false;
  }

  private change(state: BreakerState): void {
    this.current = state;
    this.options.onStateChange?.(state, this.failures);
  }
}
