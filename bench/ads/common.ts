/** Shared by the ads benchmarks: the built decision modules, and (from bench/shared) the repository root, the results folder and small statistics. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// Types only (erased): the built decision modules are loaded below from the repository root.
import type * as DecisionModules from '../../subgraphs/ads/dist/decision/index.js';
import { REPO_ROOT } from '../shared/repo.js';

/**
 * The ads subgraph's pure decision modules, built (`subgraphs/ads/dist/decision`): the package exports
 * only its server, and the compiled benchmark runs from `bench/dist/ads`, so the path is resolved here.
 */
export const decision: typeof DecisionModules = await import(
  pathToFileURL(join(REPO_ROOT, 'subgraphs', 'ads', 'dist', 'decision', 'index.js')).href
);

export { quantile } from '../shared/latency.js';
export { fmt, table } from '../shared/output.js';
export { REPO_ROOT, resultsDir } from '../shared/repo.js';
