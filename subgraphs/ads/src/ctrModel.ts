import { InFlightGuard, type Logger, type ServiceConfig } from '@attention-mesh/platform';
import type { CtrModel } from './ctrSource.js';

/**
 * Serves the newest CTR model of the registry (`MODELS_DIR/ctr/<version>`, written by
 * `npm run train:ctr`), swapping a new version in without a restart. Until one exists, decisions use
 * each ad's prior. TensorFlow.js is loaded only when a model exists.
 */
export function watchCtrModel(
  config: ServiceConfig,
  logger: Logger,
  swap: (next: CtrModel | null) => void,
): { stop(): Promise<void> } {
  let stopped = false;
  let current: { retire(): void } | null = null;
  let stopWatch: (() => void) | null = null;
  const started = (async () => {
    const ml = await import('@attention-mesh/ml');
    if (!(await ml.latestVersion(config.ml.modelsDir, ml.CTR_MODEL_NAME))) {
      logger.info({ modelsDir: config.ml.modelsDir }, 'no CTR model trained yet: pCTR uses the priors');
    }
    let backend: { backend: string; device: string } | null = null;
    const watcher = ml.watchLatest(
      config.ml.modelsDir,
      ml.CTR_MODEL_NAME,
      async (version) => {
        backend ??= await ml.selectBackend({ force: config.ml.backend });
        const model = await ml.loadCtrModel(version.dir);
        if (stopped) return model.dispose();
        const guard = new InFlightGuard(() => model.dispose());
        swap({
          kind: `${model.kind}@${version.version}`,
          predict: (rows) => guard.run(() => model.predict(rows)),
        });
        // The old version is released once the predictions already running on it are done.
        current?.retire();
        current = guard;
        logger.info({ version: version.version, kind: model.kind, ...backend }, 'CTR model loaded');
      },
      {
        intervalMs: config.ml.pollMs,
        onError: (err) => logger.error({ err }, 'CTR model could not be loaded'),
      },
    );
    stopWatch = watcher.stop;
    await watcher.ready;
  })().catch((err: unknown) => logger.error({ err }, 'CTR model watcher failed'));
  return {
    async stop() {
      stopped = true;
      await started;
      stopWatch?.();
      swap(null);
      current?.retire();
    },
  };
}
