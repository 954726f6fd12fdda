import { deferredWatch, type Logger, observeInference, type Watch } from '@attention-mesh/platform';
import type { RecommendationConfig } from '../config.js';
import { type ModelHolder, type ServedModel, serveModel } from './modelHolder.js';
import type { SequenceRecommender } from './types.js';

/**
 * Called after a version was swapped in: `previous` is the one it replaced (null for the first), and
 * `initial` is true for the version loaded at start-up (before the watch was ready).
 */
export type OnModelSwap = (served: ServedModel, previous: ServedModel | null, initial: boolean) => void;

/**
 * Serves the newest SASRec version of the registry (`MODELS_DIR/sasrec/<version>`), swapping a new one in
 * without a restart when the training CLI (or `retrain:rec`) saves it. TensorFlow.js is imported when the
 * watch starts; with no model, recommendations use popularity and `modelInfo` says so.
 */
export function watchSasRec(
  config: RecommendationConfig,
  logger: Logger,
  holder: ModelHolder,
  onSwap?: OnModelSwap,
): Watch {
  let ready = false;
  const watch = deferredWatch(
    import('@attention-mesh/ml').then((ml) =>
      ml.serveLatest<SequenceRecommender>({
        modelsDir: config.ml.modelsDir,
        name: ml.SASREC_MODEL_NAME,
        label: 'SASRec model',
        whenNone: 'recommendations use popularity',
        pollMs: config.ml.pollMs,
        backend: config.ml.backend,
        logger,
        load: (dir) => ml.SasRecModel.load(dir),
        serve: async (model, version, backend) => {
          holder.backend = { backend: backend.backend, device: backend.device };
          const { maxBatch, batchWaitMs } = config.recommendation;
          const served = await serveModel(
            model,
            { version: version.version, trainedAt: version.metrics.trainedAt, metrics: version.metrics },
            (run) =>
              new ml.MicroBatcher(observeInference('sasrec', run), { maxBatch, maxWaitMs: batchWaitMs }),
          );
          const previous = holder.current;
          holder.swap(served);
          onSwap?.(served, previous, !ready);
          return served;
        },
        clear: () => holder.swap(null),
      }),
    ),
    (err) => logger.error({ err }, 'SASRec model watcher could not start'),
  );
  void watch.ready.then(() => {
    ready = true;
  });
  return watch;
}
