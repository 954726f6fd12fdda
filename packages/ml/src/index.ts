/**
 * The serving entry (`@attention-mesh/ml`): what a subgraph needs to load and serve the models of the
 * registry, and nothing of their training (that is `@attention-mesh/ml/training`), so a service never
 * loads the trainers, evaluations, data readers or reports. A test checks that no training module is
 * reachable from here.
 */
export {
  BACKENDS,
  type BackendLogger,
  type BackendName,
  type BackendSelection,
  backendInfo,
  type SelectBackendOptions,
  selectBackend,
  type TF,
} from './core/backend.js';
export { MicroBatcher, type MicroBatcherOptions } from './core/batcher.js';
export {
  latestVersion,
  listVersions,
  METRICS_FILE,
  type ModelVersion,
  saveVersion,
  type VersionMetrics,
  versionId,
  type WatchOptions,
  watchLatest,
} from './core/registry.js';
export { type InService, type ServeLatestOptions, serveLatest } from './core/serveLatest.js';
export { type CtrModelConfig, DEFAULT_CTR_CONFIG, resolveCtrConfig } from './ctr/config.js';
export { type EncoderState, FeatureEncoder, MISSING, OOV, tokenOf } from './ctr/encoder.js';
export { CtrModel, loadCtrModel } from './ctr/model.js';
export {
  CTR_MODEL_KINDS,
  CTR_MODEL_NAME,
  type CtrDataset,
  type CtrFields,
  type CtrModelKind,
  type CtrPredictor,
  type CtrValue,
  type FieldKind,
  type FieldSpec,
} from './ctr/types.js';
export {
  DEFAULT_ENGAGEMENT_CONFIG,
  type EngagementModelConfig,
  resolveEngagementConfig,
} from './engagement/config.js';
export { ENGAGEMENT_MODEL_NAME, EngagementModel } from './engagement/model.js';
export { DAY_MS, type EngagementEvent, HOUR_MS, type UserHistory } from './engagement/types.js';
export {
  groupByLength,
  LENGTH_GROUPS,
  leftPad,
  SASREC_MODEL_NAME,
  type SasRecConfig,
  SasRecModel,
} from './sasrec/model.js';
