import { InFlightGuard, type Logger, type ServiceConfig } from '@attention-mesh/platform';
import type { EngagementPrediction, EngagementPredictor } from './engagement.js';

/**
 * Serves the newest engagement model of the registry (`MODELS_DIR/engagement/<version>`), swapping in a
 * new version without a restart when the training CLI saves one. Requests arriving within a few ms share
 * one forward pass. TensorFlow.js is loaded only when a model exists.
 */
export function watchEngagementModel(
  config: ServiceConfig,
  logger: Logger,
  swap: (next: EngagementPredictor | null) => void,
): { stop(): Promise<void> } {
  let stopped = false;
  let current: { retire(): void } | null = null;
  let stopWatch: (() => void) | null = null;
  const started = (async () => {
    const ml = await import('@attention-mesh/ml');
    if (!(await ml.latestVersion(config.ml.modelsDir, ml.ENGAGEMENT_MODEL_NAME))) {
      logger.info(
        { modelsDir: config.ml.modelsDir },
        'no engagement model trained yet: predictions use the baseline',
      );
    }
    let backend: { backend: string; device: string } | null = null;
    const watcher = ml.watchLatest(
      config.ml.modelsDir,
      ml.ENGAGEMENT_MODEL_NAME,
      async (version) => {
        backend ??= await ml.selectBackend({ force: config.ml.backend });
        const model = await ml.EngagementModel.load(version.dir);
        if (stopped) return model.dispose();
        const batcher = new ml.MicroBatcher<
          { history: { at: number; weight: number }[]; at: number; asOf: number },
          number
        >(
          async (items) =>
            model.predict(
              items.map((i) => ({ events: i.history, asOf: i.asOf })),
              items.map((i) => i.at),
            ),
          { maxBatch: 512, maxWaitMs: 2 },
        );
        const guard = new InFlightGuard(() => model.dispose());
        swap({
          predict: async (requests) => {
            const probabilities = await guard.run(() => Promise.all(requests.map((r) => batcher.submit(r))));
            return requests.map(
              (r, i): EngagementPrediction => ({
                at: r.at,
                probability: probabilities[i]!,
                source: 'MODEL',
                modelVersion: version.version,
              }),
            );
          },
        });
        // The old version is released once the requests already queued on it are answered.
        current?.retire();
        current = guard;
        logger.info({ version: version.version, ...backend }, 'engagement model loaded');
      },
      {
        intervalMs: config.ml.pollMs,
        onError: (err) => logger.error({ err }, 'engagement model could not be loaded'),
      },
    );
    stopWatch = watcher.stop;
    await watcher.ready;
  })().catch((err: unknown) => logger.error({ err }, 'engagement model watcher failed'));
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
