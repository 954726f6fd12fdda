interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Shares one run of identical work among the callers that ask for it while it is running (in the
 * manner of Hive Gateway's in-flight request deduplication). A caller that gives up (its signal
 * aborts) stops waiting alone; the work itself is aborted only when every caller has given up, so
 * one client's deadline never cuts another client's answer short. Nothing is kept once a run settles:
 * this is not a cache.
 */
export class InFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();
  private waiting = 0;

  /**
   * The result of `work` for `key`: a run already in flight for `key` is joined, else one is started.
   * `work` gets a signal aborted when no caller waits any more.
   */
  run(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const started: Flight<T> = { promise: Promise.resolve(), controller, waiters: 0 } as Flight<T>;
      started.promise = work(controller.signal).finally(() => {
        if (this.flights.get(key) === started) this.flights.delete(key);
      });
      this.flights.set(key, started);
      flight = started;
    }
    return this.wait(key, flight, signal);
  }

  /** Callers waiting on a run now (for tests and metrics). */
  waiters(): number {
    return this.waiting;
  }

  private wait(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = () => {
        done = true;
        flight.waiters--;
        this.waiting--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (done) return;
        leave();
        reject(signal?.reason);
        if (flight.waiters > 0) return;
        // Nobody waits: later callers must not join a run that is being aborted.
        if (this.flights.get(key) === flight) this.flights.delete(key);
        flight.controller.abort(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          if (done) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          leave();
          reject(error);
        },
      );
    });
  }
}
