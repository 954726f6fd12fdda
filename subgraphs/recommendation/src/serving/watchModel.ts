import { deferredWatch, type Logger, type Watch } from '@attention-mesh/platform';
import type { RecommendationConfig } from '../config.js';
import { type ModelHolder, serveModel } from './modelHolder.js';
import type { SequenceRecommender } from './types.js';

/**
 * Serves the newest SASRec version of the registry (`MODELS_DIR/sasrec/<version>`), swapping a new one in
 * without a restart when the training CLI saves it. TensorFlow.js is imported when the watch starts; with
 * no model, recommendations use popularity and `modelInfo` says so.
 */
export function watchSasRec(config: RecommendationConfig, logger: Logger, holder: ModelHolder): Watch {
  return deferredWatch(
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
            (run) => new ml.MicroBatcher(run, { maxBatch, maxWaitMs: batchWaitMs }),
          );
          holder.swap(served);
          return served;
        },
        clear: () => holder.swap(null),
      }),
    ),
    (err) => logger.error({ err }, 'SASRec model watcher could not start'),
  );
}
