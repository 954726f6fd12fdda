import {
  deferredWatch,
  InFlightGuard,
  type Logger,
  type ServiceConfig,
  type Watch,
} from '@attention-mesh/platform';
import type { CtrModel } from './ctrSource.js';

/**
 * Serves the newest CTR model of the registry (`MODELS_DIR/ctr/<version>`, written by
 * `npm run train:ctr`), swapping a new version in without a restart. Until one exists, decisions use
 * each ad's prior. TensorFlow.js is imported when the watch starts, not with the service's modules.
 */
export function watchCtrModel(
  config: ServiceConfig,
  logger: Logger,
  swap: (next: CtrModel | null) => void,
): Watch {
  return deferredWatch(
    import('@attention-mesh/ml').then((ml) =>
      ml.serveLatest({
        modelsDir: config.ml.modelsDir,
        name: ml.CTR_MODEL_NAME,
        label: 'CTR model',
        whenNone: 'pCTR uses the priors',
        pollMs: config.ml.pollMs,
        backend: config.ml.backend,
        logger,
        load: ml.loadCtrModel,
        serve: (model, version) => {
          const guard = new InFlightGuard(() => model.dispose());
          swap({
            kind: `${model.kind}@${version.version}`,
            predict: (rows) => guard.run(() => model.predict(rows)),
          });
          return guard;
        },
        clear: () => swap(null),
      }),
    ),
    (err) => logger.error({ err }, 'CTR model watcher could not start'),
  );
}
