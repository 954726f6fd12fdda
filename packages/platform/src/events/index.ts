export type {
  AdEventData,
  AdFlaggedData,
  AttentionRecordedData,
  CatalogEvent,
  EventData,
  EventInput,
  EventType,
  FeedbackReceivedData,
  ModelUpdatedData,
  RecommendationsUpdatedData,
  UserConsentChangedData,
  UserCreatedData,
  UserErasedData,
  UserErasureCompletedData,
} from './catalog.js';
export { type CreateEventBusOptions, createEventBus } from './createEventBus.js';
export { DEFAULT_MAX_ATTEMPTS, partitionOf } from './delivery.js';
export { eventIdFloor, eventIdTime, meshEvent, newEventId } from './event.js';
export {
  DEFAULT_BUS_DB,
  DEFAULT_EVENT_RETENTION_MS,
  MongoEventBus,
  type MongoEventBusConnectOptions,
  type MongoEventBusOptions,
} from './mongoEventBus.js';
export { NatsEventBus, type NatsEventBusOptions } from './natsEventBus.js';
export { type EventHandler, subscribeEvents } from './subscribeEvents.js';
export type {
  ConsumerLag,
  DeadLetter,
  DeadLetterQuery,
  EntityKey,
  EnvelopeHandler,
  EventBus,
  EventCheck,
  MeshEvent,
  PartitionSpec,
  ReplayResult,
  SubscribeOptions,
  Subscription,
} from './types.js';
