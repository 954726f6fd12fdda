import type { Connection } from 'mongoose';

/** Records the filter of every `find` the connection sends (to check that reads are by exact `_id`). */
export function findFilters(conn: Connection) {
  const seen: { collection: string; filter: Record<string, unknown> }[] = [];
  const client = conn.getClient();
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    if (e.commandName === 'find')
      seen.push({
        collection: String(e.command.find),
        filter: (e.command.filter ?? {}) as Record<string, unknown>,
      });
  };
  client.on('commandStarted', listener);
  return { seen, stop: () => client.off('commandStarted', listener) };
}
