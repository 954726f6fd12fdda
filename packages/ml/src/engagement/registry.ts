import { loadLatest, type ModelVersion } from '../registry.js';
import { ENGAGEMENT_MODEL_NAME, EngagementModel } from './model.js';

/** The newest engagement model in the registry at `rootDir` (e.g. `.data/models`), or undefined. */
export function loadLatestEngagementModel(
  rootDir: string,
): Promise<{ version: ModelVersion; model: EngagementModel } | undefined> {
  return loadLatest(rootDir, ENGAGEMENT_MODEL_NAME, EngagementModel.load);
}
