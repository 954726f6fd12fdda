import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { EngagementEvent, UserHistory } from './types.js';

/** Per-user histories read from an event log. */
export interface EventLog {
  userIds: string[];
  /** Parallel to `userIds`; events sorted by time. */
  histories: UserHistory[];
  /** Events read. */
  events: number;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Lines of a text file, gunzipped on the fly when it is gzip (by its magic bytes), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  // Checked before the stream opens, so a missing file fails here instead of as an unhandled stream error.
  const gzip = await isGzip(path);
  let input: Readable = createReadStream(path);
  if (gzip) input = input.pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Collects events per user, then sorts each history by time. */
export class LogBuilder {
  private readonly byUser = new Map<string, EngagementEvent[]>();
  events = 0;

  add(userId: string, event: EngagementEvent): void {
    let list = this.byUser.get(userId);
    if (!list) {
      list = [];
      this.byUser.set(userId, list);
    }
    list.push(event);
    this.events++;
  }

  build(): EventLog {
    const userIds: string[] = [];
    const histories: UserHistory[] = [];
    for (const [id, events] of this.byUser) {
      events.sort((a, b) => a.at - b.at);
      userIds.push(id);
      histories.push({ events });
    }
    return { userIds, histories, events: this.events };
  }
}

export function fail(path: string, line: number, message: string): never {
  throw new Error(`${path}:${line}: ${message}`);
}
