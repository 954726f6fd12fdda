import {
  deferredWatch,
  InFlightGuard,
  type Logger,
  observeInference,
  type ServiceConfig,
  type Watch,
} from '@attention-mesh/platform';
import type { EngagementPrediction, EngagementPredictor } from './engagement.js';

/**
 * Serves the newest engagement model of the registry (`MODELS_DIR/engagement/<version>`), swapping in a
 * new version without a restart when the training CLI saves one. Requests arriving within a few ms share
 * one forward pass. TensorFlow.js is imported when the watch starts, not with the service's modules.
 */
export function watchEngagementModel(
  config: ServiceConfig,
  logger: Logger,
  swap: (next: EngagementPredictor | null) => void,
): Watch {
  return deferredWatch(
    import('@attention-mesh/ml').then((ml) =>
      ml.serveLatest({
        modelsDir: config.ml.modelsDir,
        name: ml.ENGAGEMENT_MODEL_NAME,
        label: 'engagement model',
        whenNone: 'predictions use the baseline',
        pollMs: config.ml.pollMs,
        backend: config.ml.backend,
        logger,
        load: (dir) => ml.EngagementModel.load(dir),
        serve: (model, version) => {
          const batcher = new ml.MicroBatcher<
            { history: { at: number; weight: number }[]; at: number; asOf: number },
            number
          >(
            observeInference('engagement', async (items) =>
              model.predict(
                items.map((i) => ({ events: i.history, asOf: i.asOf })),
                items.map((i) => i.at),
              ),
            ),
            { maxBatch: 512, maxWaitMs: 2 },
          );
          const guard = new InFlightGuard(() => model.dispose());
          swap({
            predict: async (requests) => {
              const probabilities = await guard.run(() =>
                Promise.all(requests.map((r) => batcher.submit(r))),
              );
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
          return guard;
        },
        clear: () => swap(null),
      }),
    ),
    (err) => logger.error({ err }, 'engagement model watcher could not start'),
  );
}
