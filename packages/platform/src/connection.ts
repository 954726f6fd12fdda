import { badUserInput } from './errors.js';

/** Relay connection types shared by every paginated field. */
export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

const PREFIX = 'c1:';

export function encodeCursor(key: string): string {
  return Buffer.from(PREFIX + key, 'utf8').toString('base64url');
}

/** Decodes an opaque cursor; anything we did not issue is a BAD_USER_INPUT naming the argument. */
export function decodeCursor(cursor: string, argument = 'after'): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length) {
    throw badUserInput(`Malformed cursor in "${argument}"`, argument);
  }
  return text.slice(PREFIX.length);
}

/** Validates `first` (1..max). */
export function checkFirst(first: number, max = 100, argument = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(`"${argument}" must be between 1 and ${max}, got ${first}`, argument);
  }
  return first;
}

interface Pageable {
  find(filter: object): {
    sort(sort: Record<string, 1 | -1>): { limit(n: number): { lean(): PromiseLike<unknown> } };
  };
}

/**
 * Keyset pagination over `_id` (ids sort by creation time). `order: -1` lists newest first.
 * Fetches one extra document to know whether there is a next page.
 */
export async function paginateById<T extends { _id: string }>(
  model: Pageable,
  filter: Record<string, unknown>,
  args: { first: number; after?: string | null; order?: 1 | -1; max?: number },
): Promise<Connection<T>> {
  const first = checkFirst(args.first, args.max);
  const order = args.order ?? 1;
  const query: Record<string, unknown> = { ...filter };
  if (args.after) query._id = { [order === 1 ? '$gt' : '$lt']: decodeCursor(args.after) };
  const docs = (await model
    .find(query)
    .sort({ _id: order })
    .limit(first + 1)
    .lean()) as T[];
  const page = docs.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node._id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: docs.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
