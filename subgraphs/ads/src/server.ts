import type { SubgraphDefinition } from '@attention-mesh/platform';
import { adsConfig } from './config.js';
import { startConsumers } from './consumers.js';
import { watchCtrModel } from './ctr/ctrModel.js';
import { createLoaders } from './loaders.js';
import type { AdsContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { type AdsRuntime, createRuntime } from './runtime.js';

/** Runs `fn` every `ms` (not overlapping itself) until stopped; errors are logged, not fatal. */
function every(ms: number, fn: () => Promise<unknown> | unknown, onError: (err: unknown) => void) {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = Promise.resolve()
      .then(fn)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, ms);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** The ads subgraph: advertisers, campaigns, ads and placements, the ad decision, the spend ledger, reports. */
export const adsSubgraph: SubgraphDefinition<AdsRuntime, AdsContext> = {
  name: 'ads',
  schemaFile: new URL('../src/schema.graphql', import.meta.url),
  resolvers,
  config: adsConfig,
  runtime: createRuntime,
  context: (runtime, { events }) => ({ runtime, events, loaders: createLoaders(runtime) }),
  prepare: (models) => models.tombstones.load(),
  background: (models, { events, logger }) => {
    const rt = models.ads;
    rt.ctr.logger = logger;
    const fail = (what: string) => (err: unknown) => logger.error({ err }, `ads ${what} failed`);
    rt.ready().catch(fail('start-up load'));
    return [
      ...startConsumers(models, events),
      watchCtrModel(rt.config, logger, (next) => rt.ctr.swap(next)),
      // Changes made by other replicas; this process's own changes are applied as they happen.
      every(rt.config.ads.refreshMs, () => rt.refresh(), fail('catalog refresh')),
      // A scan for changes whatever the version says (see Catalog.bump).
      every(5 * 60_000, () => rt.refresh(true), fail('catalog rescan')),
      every(60_000, () => rt.isLoaded && rt.stepPacing(), fail('pacing step')),
      every(rt.config.ads.countsFlushMs, () => rt.counts.flush(), fail('decision counts flush')),
      // The last decisions' log writes, then what they counted.
      {
        stop: () =>
          rt.log
            .flush()
            .then(() => rt.counts.flush())
            .catch(fail('decision counts flush')),
      },
      every(10_000, () => rt.book.expire(Date.now()), fail('reservation expiry')),
    ];
  },
};
