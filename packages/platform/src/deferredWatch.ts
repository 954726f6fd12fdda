/** A background watch (e.g. a model registry's) started once its module is imported. */
export interface Watch {
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The watch `start` resolves to, usable at once: `ready` and `stop` wait for the import. A failed
 * import is reported to `onError` and leaves a watch that does nothing, so the service runs on without it.
 */
export function deferredWatch(start: Promise<Watch>, onError: (err: unknown) => void): Watch {
  const started = start.catch((err: unknown) => {
    onError(err);
    return null;
  });
  return {
    ready: started.then((w) => w?.ready),
    stop: async () => {
      await (await started)?.stop();
    },
  };
}
