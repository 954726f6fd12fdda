import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions';
import { meshTracer } from './tracing.js';

/** The driver's command monitoring events, as much of them as the spans read. */
interface CommandStarted {
  requestId: number;
  connectionId?: unknown;
  commandName: string;
  databaseName: string;
  command: Record<string, unknown>;
}
interface CommandEnded {
  requestId: number;
  connectionId?: unknown;
  commandName: string;
}
interface CommandFailed extends CommandEnded {
  failure: Error;
}
interface MonitoredClient {
  on(event: 'commandStarted', listener: (e: CommandStarted) => void): unknown;
  on(event: 'commandSucceeded', listener: (e: CommandEnded) => void): unknown;
  on(event: 'commandFailed', listener: (e: CommandFailed) => void): unknown;
}

/** Handshakes and heartbeats run outside any request: no spans for them. */
const SKIPPED = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'saslStart',
  'saslContinue',
  'endSessions',
]);

/**
 * Database spans from the MongoDB driver's command monitoring, children of the span active when the
 * command was sent. `@opentelemetry/instrumentation-mongodb` patches `require('mongodb')` and so only
 * works when it is loaded before mongoose, which the services' ESM imports do not allow; the driver's
 * own events need no load order. Only commands run under an active span get one: a database span
 * without its request would be noise. Never the command's values: only its name and collection.
 */
export function traceCommands(client: MonitoredClient): void {
  const open = new Map<string, Span>();
  const keyOf = (e: CommandEnded) => `${String(e.connectionId)}:${e.requestId}`;
  client.on('commandStarted', (e) => {
    if (SKIPPED.has(e.commandName)) return;
    const parent = trace.getSpan(context.active());
    if (!parent) return;
    const collection = e.command[e.commandName];
    const span = meshTracer().startSpan(
      `${e.commandName} ${typeof collection === 'string' ? collection : e.databaseName}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: 'mongodb',
          [ATTR_DB_NAMESPACE]: e.databaseName,
          [ATTR_DB_OPERATION_NAME]: e.commandName,
          ...(typeof collection === 'string' ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
        },
      },
    );
    open.set(keyOf(e), span);
  });
  client.on('commandSucceeded', (e) => {
    const span = open.get(keyOf(e));
    if (!span) return;
    open.delete(keyOf(e));
    span.end();
  });
  client.on('commandFailed', (e) => {
    const span = open.get(keyOf(e));
    if (!span) return;
    open.delete(keyOf(e));
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.failure.message });
    span.end();
  });
}
