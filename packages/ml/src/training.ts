/**
 * The training entry (`@attention-mesh/ml/training`): the trainers, evaluation protocols, data readers and
 * reports of each model, and the training helpers they share, for the training CLIs and the benchmarks.
 * The models themselves, the registry and the backend come from the serving entry (`@attention-mesh/ml`).
 */
export { createRng, type Rng, shuffleInPlace } from './core/random.js';
export { Adam, type AdamOptions } from './core/training/adam.js';
export {
  auc,
  brierScore,
  type CalibrationBin,
  calibrationBins,
  logLoss,
  type RocPoint,
  rocCurve,
} from './core/training/metrics.js';
export type { TrainProgress } from './core/training/progress.js';
export { type ScoredPredictor, type Scores, score } from './core/training/scores.js';
export { CRITEO_FIELDS, parseCriteo } from './ctr/criteo.js';
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
export { CTR_FORMATS, type CtrFormat, detectCtrFormat, readCtrData } from './ctr/read.js';
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
  activeHours,
  type BetaPrior,
  FrequencyBaseline,
  fitBetaBinomial,
  HourOfDayBaseline,
} from './engagement/baseline.js';
export {
  type Candidate,
  type CandidateResult,
  DEFAULT_CANDIDATES,
  type EvaluationOptions,
  type EvaluationResult,
  evaluateEngagement,
  type Fold,
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
export { type ReportInput, renderReport } from './engagement/report.js';
export { type ForecastTask, firstHourOf, forecastTask } from './engagement/split.js';
export {
  type EpochStats,
  type TrainOptions,
  type TrainResult,
  trainEngagementModel,
} from './engagement/train.js';
export { type BootstrapOptions, bootstrap } from './ope/bootstrap.js';
export { type CriteoWorldOptions, criteoWorld } from './ope/criteoWorld.js';
export {
  directMethod,
  doublyRobust,
  ESTIMATORS,
  type Estimate,
  type EstimatorName,
  type EstimatorOptions,
  effectiveSampleSize,
  evaluatePolicy,
  ips,
  type OpeReport,
  type OpeSlot,
  type OpeUnit,
  observed,
  ratioEstimate,
  snips,
} from './ope/estimators.js';
export {
  DEFAULT_AD_POLICIES,
  DEFAULT_REC_POLICIES,
  evaluateLog,
  formatEvaluation,
  type LogEvaluation,
  type LogEvaluationOptions,
} from './ope/evaluateLog.js';
export { AD_POLICIES, adPolicy, adUnit, positionBaseline, REC_POLICIES, recUnit } from './ope/policies.js';
export {
  type AdCandidateRecord,
  type AdDecisionRecord,
  type DecisionRecord,
  parseDecisionRecord,
  type RecDecisionRecord,
  type RecSlotRecord,
} from './ope/records.js';
export {
  type EstimatorError,
  loggingProbs,
  type PolicyResult,
  type SimContext,
  type SimulationOptions,
  type SimulationResult,
  simulate,
} from './ope/simulate.js';
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
  LOSSES,
  type SasRecEvaluation,
  type SasRecLoss,
  type SasRecProgress,
  type SasRecTrainOptions,
  type SasRecTrainResult,
  trainSasRec,
} from './sasrec/train.js';
