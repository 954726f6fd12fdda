import { type BackendLogger, type BackendSelection, selectBackend } from './backend.js';
import { latestVersion, type ModelVersion, watchLatest } from './registry.js';

/** What a service puts in service for one model version; retired when a newer one (or the stop) replaces it. */
export interface InService {
  retire(): void;
}

export interface ServeLatestOptions<M extends { dispose(): void }> {
  /** The registry (`MODELS_DIR`) and the model's name in it. */
  modelsDir: string;
  name: string;
  /** For the logs, e.g. "CTR model". */
  label: string;
  /** Logged at start when no version exists yet: what the service does meanwhile. */
  whenNone: string;
  pollMs: number;
  /** TFJS_BACKEND, when forced. */
  backend?: string;
  logger: BackendLogger & { error(obj: object, msg?: string): void };
  load(dir: string): Promise<M>;
  /** Puts a loaded version in service (called with the stop not yet requested). */
  serve(model: M, version: ModelVersion, backend: BackendSelection): InService | Promise<InService>;
  /** Takes the served version out of service at stop. */
  clear(): void;
}

/**
 * Serves the newest version of a registry model and swaps a newer one in without a restart (`watchLatest`):
 * each version is loaded, put in service, and the one it replaces retired (released once the calls running
 * on it settle, see `InFlightGuard`). Logs when none is trained yet and when one loads; a version that fails
 * to load is logged and tried again at the next poll.
 */
export function serveLatest<M extends { dispose(): void }>(
  o: ServeLatestOptions<M>,
): { ready: Promise<void>; stop(): Promise<void> } {
  let stopped = false;
  let current: InService | null = null;
  let stopWatch: (() => void) | null = null;
  const ready = (async () => {
    if (!(await latestVersion(o.modelsDir, o.name))) {
      o.logger.info({ modelsDir: o.modelsDir }, `no ${o.label} trained yet: ${o.whenNone}`);
    }
    let backend: BackendSelection | null = null;
    const watcher = watchLatest(
      o.modelsDir,
      o.name,
      async (version) => {
        backend ??= await selectBackend({ force: o.backend, logger: o.logger });
        const model = await o.load(version.dir);
        if (stopped) return model.dispose();
        const served = await o.serve(model, version, backend);
        if (stopped) return served.retire();
        current?.retire();
        current = served;
        o.logger.info(
          { version: version.version, backend: backend.backend, device: backend.device },
          `${o.label} loaded`,
        );
      },
      { intervalMs: o.pollMs, onError: (err) => o.logger.error({ err }, `${o.label} could not be loaded`) },
    );
    stopWatch = watcher.stop;
    await watcher.ready;
  })().catch((err: unknown) => o.logger.error({ err }, `${o.label} watcher failed`));
  return {
    ready,
    async stop() {
      stopped = true;
      await ready;
      stopWatch?.();
      o.clear();
      current?.retire();
      current = null;
    },
  };
}
