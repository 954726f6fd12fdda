/**
 * The subscribers of `subscriptions.ts`, in a child process (so the gateway's process holds only the
 * gateway): one graphql-ws connection and one `attentionChanged` subscription per subscriber, and the
 * latency of every payload (receipt time − the event's `at`, which the publisher sets to the time it
 * published). Driven over IPC: `open`, `collect`, `close`.
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

interface OpenMessage {
  kind: 'open';
  url: string;
  /** One entry per subscriber: the user and its bearer token. */
  subscribers: { userId: string; token: string }[];
  /** Select only what the event itself answers (no subgraph call): the gateway's own cost. */
  bare: boolean;
}
type Message = OpenMessage | { kind: 'collect' } | { kind: 'close' };

const QUERY = 'subscription($u: ID!) { attentionChanged(userId: $u) { at user { id displayName } } }';
const BARE = 'subscription($u: ID!) { attentionChanged(userId: $u) { at user { id } } }';

const clients: Client[] = [];
/** Per payload: the user, the event's `at` (its publish time) and when it arrived, epoch ms. */
let latencies: [string, number, number][] = [];
let errors = 0;
let firstError: string | undefined;
const send = (m: unknown) => process.send?.(m);

async function open(m: OpenMessage) {
  let opened = 0;
  for (const s of m.subscribers) {
    const client = createClient({
      url: m.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${s.token}` },
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      const off = client.on('connected', () => {
        off();
        resolve();
      });
      client.on('closed', (e) => reject(new Error(`closed ${(e as { code?: number }).code}`)));
    });
    client.subscribe<{ attentionChanged: { at: string; user: { id: string; displayName?: string } } }>(
      { query: m.bare ? BARE : QUERY, variables: { u: s.userId } },
      {
        next: (v) => {
          const at = v.data?.attentionChanged.at;
          const user = v.data?.attentionChanged.user;
          if (v.errors?.length || !at || !user?.id || (!m.bare && !user.displayName)) {
            errors++;
            firstError ??= JSON.stringify(v).slice(0, 300);
            return;
          }
          latencies.push([user.id, Date.parse(at), Date.now()]);
        },
        error: (e) => {
          errors++;
          firstError ??= String((e as Error)?.message ?? JSON.stringify(e)).slice(0, 300);
        },
        complete: () => {},
      },
    );
    opened++;
  }
  send({ kind: 'opened', opened });
}

process.on('message', (m: Message) => {
  if (m.kind === 'open') void open(m).catch((err) => send({ kind: 'failed', error: String(err) }));
  else if (m.kind === 'collect') {
    send({ kind: 'collected', latencies, errors, firstError });
    latencies = [];
    errors = 0;
    firstError = undefined;
  } else if (m.kind === 'close') {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  }
});
