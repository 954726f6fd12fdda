export { type EraseUser, erasureCompleted, subscribeErasure } from './subscribeErasure.js';
export { erasedIdOf, isErasedId, replaceId, tombstoneOf } from './tombstoneHash.js';
export {
  type TombstoneDoc,
  TombstoneStore,
  type TombstoneStoreOptions,
  userErased,
} from './tombstoneStore.js';
