/** Shared helpers of the recommendation benchmark (see bench/shared). */
export { type BenchDatabase, startDatabase } from '../shared/database.js';
export { latencySummary, percentile } from '../shared/latency.js';
export { fmt, progress, round, stderrLogger, table } from '../shared/output.js';
export { importFromRepo, REPO_ROOT, writeResults } from '../shared/repo.js';
