export * from './access/index.js';
export { BloomFilter } from './bloomFilter.js';
export {
  type ConfigSection,
  configSection,
  DEFAULT_PORTS,
  DEV_ERASURE_SECRET,
  DEV_INTERNAL_SECRET,
  DEV_JWT_SECRET,
  loadConfig,
  type SectionOf,
  type ServiceConfig,
  type ServiceName,
} from './config.js';
export {
  type Connection,
  checkFirst,
  decodeCursor,
  type Edge,
  encodeCursor,
  type PageInfo,
  paginateById,
} from './connection.js';
export {
  type ConsentCollection,
  type ConsentRecord,
  ConsentStore,
  type ConsentStoreOptions,
} from './consent/consentStore.js';
export { type CounterUpdate, CounterWriter, mergeCounterUpdate } from './counterWriter.js';
export { deferredWatch, type Watch } from './deferredWatch.js';
export * from './erasure/index.js';
export { badUserInput, ErrorCode, formatError, meshError, notFound } from './errors.js';
export {
  type AdEventData,
  type AdFlaggedData,
  type AttentionRecordedData,
  type CatalogEvent,
  type ConsumerLag,
  type CreateEventBusOptions,
  createEventBus,
  DEFAULT_BUS_DB,
  DEFAULT_EVENT_RETENTION_MS,
  DEFAULT_MAX_ATTEMPTS,
  type DeadLetter,
  type DeadLetterQuery,
  type EntityKey,
  type EnvelopeHandler,
  type EventBus,
  type EventCheck,
  type EventData,
  type EventHandler,
  type EventInput,
  type EventType,
  eventIdFloor,
  eventIdTime,
  type FeedbackReceivedData,
  type MeshEvent,
  type ModelUpdatedData,
  MongoEventBus,
  type MongoEventBusConnectOptions,
  type MongoEventBusOptions,
  meshEvent,
  NatsEventBus,
  type NatsEventBusOptions,
  newEventId,
  type PartitionSpec,
  partitionOf,
  type RecommendationsUpdatedData,
  type ReplayResult,
  type SubscribeOptions,
  type Subscription,
  subscribeEvents,
  type UserConsentChangedData,
  type UserCreatedData,
  type UserErasedData,
  type UserErasureCompletedData,
} from './events/index.js';
export { createHttpService, listen, requestIdOf } from './http.js';
export { newId } from './ids.js';
export { InFlightGuard } from './inFlightGuard.js';
export {
  DEFAULT_CONTEXT_TTL_MS,
  INTERNAL_CONTEXT_HEADER,
  signInternalContext,
  verifyInternalContext,
} from './internalContext.js';
export { KeyedLock } from './keyedLock.js';
export { byIdLoader, groupedLoader, keyedLoader } from './loaders.js';
export { createLogger, type Logger } from './logger.js';
export { LruCache } from './lruCache.js';
export * from './metrics/index.js';
export {
  bulkUpsert,
  connectMongo,
  ensureIndexes,
  insertNew,
  insertOnce,
  isConnected,
  MAX_BULK_OPS,
  writeErrorsOf,
} from './mongo.js';
export { type Observability, startObservability } from './observability.js';
export {
  clamp,
  clipContribution,
  discreteLaplace,
  discreteLaplaceVariance,
  type GroupSums,
  laplaceAlpha,
  noisedRatio,
  type ReleasedGroup,
  type ReleasePolicy,
  release,
  secureUniform,
  seededNoise,
} from './privacy/index.js';
export { seededRandom } from './random.js';
export { bootSubgraph, runUntilSignal } from './run.js';
export { DateTimeScalar, MicrosScalar } from './scalars.js';
export {
  type AnySubgraphDefinition,
  closeServer,
  type RequestContext,
  type ResolverMap,
  type RunningSubgraph,
  type StartOptions,
  type SubgraphDefinition,
  type SubgraphServices,
  startSubgraph,
} from './subgraph.js';
export {
  HOURS_PER_WEEK,
  isTimeZone,
  type LocalDay,
  LocalDayClock,
  type LocalTime,
  localDayOf,
  localTime,
  timeZoneOffsetMs,
  utcHourOfWeek,
} from './time.js';
export * from './tracing/index.js';
export {
  checkClientId,
  checkHttpUrl,
  checkInt,
  checkSlug,
  checkSlugs,
  checkText,
  isClientId,
  isCountryCode,
  isSlug,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
} from './validate.js';
