import { loadLatest, type ModelVersion } from '../registry.js';
import { CtrModel } from './model.js';
import { CTR_MODEL_NAME, type CtrPredictor } from './types.js';

/** Loads a CTR model (either kind) written by `CtrModel.save` or the training CLI. */
export function loadCtrModel(dir: string): Promise<CtrPredictor> {
  return CtrModel.load(dir);
}

/** The newest served CTR model in the registry at `modelsDir` (e.g. `.data/models`), or undefined. */
export function loadLatestCtr(
  modelsDir: string,
): Promise<{ version: ModelVersion; model: CtrPredictor } | undefined> {
  return loadLatest(modelsDir, CTR_MODEL_NAME, loadCtrModel);
}
