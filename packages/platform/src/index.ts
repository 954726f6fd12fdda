export { DEFAULT_PORTS, loadConfig, type ServiceConfig, type ServiceName } from './config.js';
export {
  type Connection,
  checkFirst,
  decodeCursor,
  type Edge,
  encodeCursor,
  type PageInfo,
  paginateById,
} from './connection.js';
export { type CounterUpdate, CounterWriter } from './counterWriter.js';
export { badUserInput, ErrorCode, formatError, meshError, notFound } from './errors.js';
export { createHttpService, listen, requestIdOf } from './http.js';
export { newId } from './ids.js';
export {
  ANONYMOUS,
  type Caller,
  INTERNAL_CONTEXT_HEADER,
  signInternalContext,
  verifyInternalContext,
} from './internalContext.js';
export { byIdLoader, groupedLoader, keyedLoader } from './loaders.js';
export { createLogger, type Logger } from './logger.js';
export { bulkUpsert, connectMongo, ensureIndexes, insertOnce, isConnected, writeErrorsOf } from './mongo.js';
export { bootSubgraph, runUntilSignal } from './run.js';
export { DateTimeScalar, MicrosScalar } from './scalars.js';
export {
  closeServer,
  type GraphQLResolverMap,
  type RequestContext,
  type RunningSubgraph,
  type StartOptions,
  type SubgraphDefinition,
  startSubgraph,
} from './subgraph.js';
export { checkClientId, checkHttpUrl, checkInt, checkSlug, checkSlugs, checkText } from './validate.js';
