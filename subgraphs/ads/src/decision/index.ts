/** The pure ad decision: eligibility, ranking, auction, pacing and caps, without GraphQL or a database. */
export { aheadOfPlan } from './aheadOfPlan.js';
export { type AttentionBounds, attentionMultiplier } from './attentionMultiplier.js';
export { sampleBeta, sampleGamma, sampleNormal } from './betaSampling.js';
export { type ClearingPrice, clearingPrice, ecpmOf, type PricedBid } from './clearingPrice.js';
export { type CtrPosterior, ctrPosterior } from './ctrPosterior.js';
export { type DecisionInputs, type DecisionOptions, decide } from './decide.js';
export { EligibilityIndex } from './eligibilityIndex.js';
export { capsAllow, countWithin, emptyExposureHistory, recordExposure } from './frequencyCaps.js';
export {
  initialPacingState,
  type PacingControllerState,
  type PacingObservation,
  type PacingOptions,
  stepPacing,
} from './pacingController.js';
export { curveShare, pacingCurve, targetSpendBy } from './pacingCurve.js';
export {
  complaintFactor,
  placementAttentionFactor,
  type QualityOptions,
  qualityFactor,
} from './qualityFactor.js';
export { isInSchedule, isRunning } from './schedule.js';
export type * from './types.js';
