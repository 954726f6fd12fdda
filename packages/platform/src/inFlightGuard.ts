/**
 * Keeps a served model alive while calls that started on it are in flight: once `retire`d (a newer
 * version took over, or the service stops) it is released when the last of them ends, or at once when
 * none is running. Without it, disposing the old weights at a hot swap breaks a request that was still
 * queued in the old version's micro-batcher.
 */
export class InFlightGuard {
  private inFlight = 0;
  private retired = false;
  private released = false;

  constructor(private readonly release: () => void) {}

  /** Runs `work` on the guarded model (counted in flight until it settles). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      if (this.retired && this.inFlight === 0) this.releaseOnce();
    }
  }

  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) this.releaseOnce();
  }

  private releaseOnce(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }
}
