import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './logger.js';
import { traceCommands } from './tracing/commandSpans.js';
import { tracingEnabled } from './tracing/tracing.js';

export interface ConnectOptions {
  uri: string;
  dbName: string;
  logger: Logger;
  /** Attempts before giving up (default 10), with exponential backoff from 250 ms up to 5 s. */
  attempts?: number;
  /** Emit driver command events (used by tests that count round trips). */
  monitorCommands?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens the service's own connection (never the mongoose global one, so several services can share a
 * process in tests). `autoIndex` is off: indexes are created explicitly by `ensureIndexes` at start-up.
 */
export async function connectMongo(opts: ConnectOptions): Promise<Connection> {
  const attempts = opts.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const conn = mongoose.createConnection(opts.uri, {
      dbName: opts.dbName,
      autoIndex: false,
      autoCreate: false,
      serverSelectionTimeoutMS: 3_000,
      // Command events are what database spans are made of: on only when someone reads them.
      monitorCommands: (opts.monitorCommands ?? false) || tracingEnabled(),
    });
    try {
      await conn.asPromise();
      if (tracingEnabled()) traceCommands(conn.getClient());
      opts.logger.info({ db: opts.dbName }, 'database connected');
      return conn;
    } catch (err) {
      await conn.close().catch(() => {});
      if (attempt >= attempts) throw err;
      const delay = Math.min(5_000, 250 * 2 ** (attempt - 1));
      opts.logger.warn({ attempt, delay, err: (err as Error).message }, 'database not reachable, retrying');
      await sleep(delay);
    }
  }
}

/** Creates every index declared on the connection's models (and with them the collections). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) {
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await model.createIndexes();
  }
}

export function isConnected(conn: Connection): boolean {
  return conn.readyState === mongoose.ConnectionStates.connected;
}

interface InsertableModel<T> {
  findById(id: string): { lean(): PromiseLike<unknown> };
  create(doc: T): Promise<unknown>;
}

/**
 * Idempotent create by client id: inserts `doc` unless a document with its `_id` exists, and returns
 * whichever is stored, so a retried create answers what the first one made.
 */
export async function insertOnce<T extends { _id: string }>(model: InsertableModel<T>, doc: T): Promise<T> {
  const existing = (await model.findById(doc._id).lean()) as T | null;
  if (existing) return existing;
  try {
    await model.create(doc);
    return doc;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    return (await model.findById(doc._id).lean()) as T;
  }
}

interface WriteErrorLike {
  index: number;
  code?: number;
}

/**
 * The per-operation write errors of a bulk write failure, or null for any other error. The driver puts
 * `code` on each error; mongoose's insertMany wraps them as `{ index, err: { code } }`.
 */
export function writeErrorsOf(err: unknown): WriteErrorLike[] | null {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  if (!writeErrors) return null;
  const list = (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) as {
    index: number;
    code?: number;
    err?: { code?: number };
  }[];
  return list.map((we) => ({ index: we.index, code: we.code ?? we.err?.code }));
}

/**
 * Most operations one bulk write sends. FerretDB v1.24 hangs for good on an update command of 100 or more
 * upserts on existing documents (50 works), so larger batches go out in slices, one after another.
 */
export const MAX_BULK_OPS = 50;

/**
 * An unordered bulk write of upserts that is safe under concurrency: two upserts racing to create the
 * same document make one fail with a duplicate key (MongoDB retries some of these itself, FerretDB
 * none), and only the operations that failed that way are sent again. A failed operation applied
 * nothing, so nothing is counted twice.
 */
export async function bulkUpsert<Op>(
  collection: { bulkWrite(ops: Op[], options: { ordered: false }): Promise<unknown> },
  ops: Op[],
  attempts = 5,
): Promise<void> {
  for (let i = 0; i < ops.length; i += MAX_BULK_OPS) {
    let pending = ops.slice(i, i + MAX_BULK_OPS);
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        await collection.bulkWrite(pending, { ordered: false });
        break;
      } catch (err) {
        const failed = writeErrorsOf(err);
        if (!failed || attempt >= attempts || failed.some((we) => we.code !== 11000)) throw err;
        pending = failed.map((we) => pending[we.index] as Op);
      }
    }
  }
}

/**
 * Inserts documents whose unique keys are new, in one unordered insert, and returns those this call
 * stored: a duplicate key (an id seen before) is skipped, any other failure is thrown.
 */
export async function insertNew<T>(
  model: { insertMany(docs: T[], options: { ordered: false; lean: true }): Promise<unknown> },
  docs: T[],
): Promise<T[]> {
  if (docs.length === 0) return [];
  const failed = new Set<number>();
  try {
    await model.insertMany(docs, { ordered: false, lean: true });
  } catch (err) {
    const writeErrors = writeErrorsOf(err);
    if (!writeErrors) throw err;
    for (const we of writeErrors) {
      if (we.code !== 11000) throw err;
      failed.add(we.index);
    }
  }
  return docs.filter((_, i) => !failed.has(i));
}
