export { clamp, clipContribution } from './clip.js';
export {
  discreteLaplace,
  discreteLaplaceVariance,
  laplaceAlpha,
  secureUniform,
} from './discreteLaplace.js';
export { type GroupSums, noisedRatio, type ReleasedGroup, type ReleasePolicy, release } from './release.js';
export { seededNoise } from './seededNoise.js';
