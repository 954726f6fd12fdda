export { eventIdFloor, eventIdTime, meshEvent, newEventId } from './event.js';
export {
  DEFAULT_BUS_DB,
  DEFAULT_EVENT_RETENTION_MS,
  MongoEventBus,
  type MongoEventBusConnectOptions,
  type MongoEventBusOptions,
} from './mongoEventBus.js';
export type {
  EntityKey,
  EventBus,
  EventHandler,
  EventType,
  FeedbackReceivedData,
  KnownEventType,
  MeshEvent,
  SubscribeOptions,
  Subscription,
  UserConsentChangedData,
  UserCreatedData,
} from './types.js';
