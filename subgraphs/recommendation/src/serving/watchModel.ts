import type { Logger, ServiceConfig } from '@attention-mesh/platform';
import { type ModelHolder, serveModel } from './modelHolder.js';
import type { SequenceRecommender } from './types.js';

/**
 * Serves the newest SASRec version of the registry (`MODELS_DIR/sasrec/<version>`), swapping a new one in
 * without a restart when the training CLI saves it. TensorFlow.js is loaded only when the registry is
 * watched; with no model, recommendations use popularity and `modelInfo` says so.
 */
export function watchSasRec(
  config: ServiceConfig,
  logger: Logger,
  holder: ModelHolder,
): { stop(): Promise<void>; ready: Promise<void> } {
  let stopped = false;
  let stopWatch: (() => void) | null = null;
  const ready = (async () => {
    const ml = await import('@attention-mesh/ml');
    if (!(await ml.latestVersion(config.ml.modelsDir, ml.SASREC_MODEL_NAME))) {
      logger.info(
        { modelsDir: config.ml.modelsDir },
        'no SASRec model trained yet: recommendations use popularity',
      );
    }
    const watcher = ml.watchLatest(
      config.ml.modelsDir,
      ml.SASREC_MODEL_NAME,
      async (version) => {
        const selection = await ml.selectBackend({ force: config.ml.backend, logger });
        holder.backend = { backend: selection.backend, device: selection.device };
        // SasRecModel transposes its item table once for scoring (not per forward pass).
        const model: SequenceRecommender = await ml.SasRecModel.load(version.dir);
        if (stopped) return model.dispose();
        const { maxBatch, batchWaitMs } = config.recommendation;
        const served = await serveModel(
          model,
          { version: version.version, trainedAt: version.metrics.trainedAt, metrics: version.metrics },
          (run) => new ml.MicroBatcher(run, { maxBatch, maxWaitMs: batchWaitMs }),
        );
        if (stopped) return model.dispose();
        holder.swap(served);
        logger.info(
          { version: version.version, items: model.itemIds.length - 1, ...holder.backend },
          'SASRec model loaded',
        );
      },
      {
        intervalMs: config.ml.pollMs,
        onError: (err) => logger.error({ err }, 'SASRec model could not be loaded'),
      },
    );
    stopWatch = watcher.stop;
    await watcher.ready;
  })().catch((err: unknown) => logger.error({ err }, 'SASRec model watcher failed'));
  return {
    ready,
    async stop() {
      stopped = true;
      await ready;
      stopWatch?.();
      holder.swap(null);
    },
  };
}
