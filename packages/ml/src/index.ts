export { Adam, type AdamOptions } from './adam.js';
export {
  BACKENDS,
  type BackendLogger,
  type BackendName,
  type BackendSelection,
  backendInfo,
  type SelectBackendOptions,
  selectBackend,
  type TF,
} from './backend.js';
export { MicroBatcher, type MicroBatcherOptions } from './batcher.js';
export { type CtrModelConfig, DEFAULT_CTR_CONFIG, resolveCtrConfig } from './ctr/config.js';
export { CRITEO_FIELDS, parseCriteo } from './ctr/criteo.js';
export { type EncoderState, FeatureEncoder, MISSING, OOV, tokenOf } from './ctr/encoder.js';
export {
  type CandidateOutcome,
  type CtrCandidate,
  type CtrEvaluation,
  DEFAULT_CTR_CANDIDATES,
  type EvaluateCtrOptions,
  evaluateCtr,
  type KindOutcome,
} from './ctr/evaluate.js';
export { type JsonlOptions, parseCtrJsonl } from './ctr/jsonl.js';
export { CtrModel } from './ctr/model.js';
export { CTR_FORMATS, type CtrFormat, detectCtrFormat, readCtrData } from './ctr/read.js';
export { loadCtrModel, loadLatestCtr } from './ctr/registry.js';
export { renderCtrReport } from './ctr/report.js';
export { type CtrSplit, splitRows } from './ctr/split.js';
export {
  type CtrEpoch,
  type CtrTrainOptions,
  type CtrTrainResult,
  type EncodedRows,
  trainCtrModel,
} from './ctr/train.js';
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
  activeHours,
  type BetaPrior,
  FrequencyBaseline,
  fitBetaBinomial,
  HourOfDayBaseline,
} from './engagement/baseline.js';
export {
  DEFAULT_ENGAGEMENT_CONFIG,
  type EngagementModelConfig,
  resolveEngagementConfig,
} from './engagement/config.js';
export {
  type Candidate,
  type CandidateResult,
  DEFAULT_CANDIDATES,
  type EvaluationOptions,
  type EvaluationResult,
  evaluateEngagement,
  type Fold,
  type ScoredPredictor,
  type Scores,
  score,
} from './engagement/evaluate.js';
export {
  EVENT_FORMATS,
  type EventFormat,
  parseTimestamp,
  readEventLog,
  readEventsCsv,
  readEventsJsonl,
} from './engagement/eventLog.js';
export {
  buildExamples,
  clipHistory,
  type ExampleOptions,
  type ExampleSet,
  type TrainingWindow,
} from './engagement/examples.js';
export { GLOBO_HEADER, readGloboClicks } from './engagement/globo.js';
export type { EventLog } from './engagement/lines.js';
export {
  auc,
  brierScore,
  type CalibrationBin,
  calibrationBins,
  logLoss,
  type RocPoint,
  rocCurve,
} from './engagement/metrics.js';
export { ENGAGEMENT_MODEL_NAME, EngagementModel } from './engagement/model.js';
export { dense, logSigmoid, matMul, weightedBce } from './engagement/ops.js';
export { loadLatestEngagementModel } from './engagement/registry.js';
export { type ReportInput, renderReport } from './engagement/report.js';
export { type ForecastTask, firstHourOf, forecastTask } from './engagement/split.js';
export {
  type EpochStats,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  trainEngagementModel,
} from './engagement/train.js';
export { DAY_MS, type EngagementEvent, HOUR_MS, type UserHistory } from './engagement/types.js';
export { createRng, type Rng, shuffleInPlace } from './random.js';
export {
  latestVersion,
  listVersions,
  loadLatest,
  METRICS_FILE,
  type ModelVersion,
  saveVersion,
  type VersionMetrics,
  versionId,
  type WatchOptions,
  watchLatest,
} from './registry.js';
export {
  buildVocabulary,
  type LeaveOneOut,
  leaveOneOut,
  readSequences,
  type SequenceData,
} from './sasrec/data.js';
export {
  type EvaluationSet,
  evaluateRanking,
  evaluationSet,
  modelScorer,
  popularityScorer,
  popularityScores,
  type RankingMetrics,
  type Scorer,
} from './sasrec/evaluate.js';
export {
  groupByLength,
  LENGTH_GROUPS,
  leftPad,
  loadLatestSasRec,
  SASREC_MODEL_NAME,
  type SasRecConfig,
  SasRecModel,
} from './sasrec/model.js';
export {
  LOSSES,
  type SasRecEvaluation,
  type SasRecLoss,
  type SasRecProgress,
  type SasRecTrainOptions,
  type SasRecTrainResult,
  trainSasRec,
} from './sasrec/train.js';
export { type InService, type ServeLatestOptions, serveLatest } from './serveLatest.js';
