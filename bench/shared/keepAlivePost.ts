/**
 * A JSON POST over a fixed pool of keep-alive connections (one per request in flight), as a gateway
 * holds to a subgraph: the global fetch opens new connections during a run (about 50 for 2,000
 * requests at concurrency 64: a connection is not free again in the tick its response ends), and a
 * request sent on a new connection can take a second or more on a loaded machine, which is the
 * client's tail, not the service's.
 */
import { Agent, request } from 'node:http';

export function keepAliveAgent(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

export function postJson<T>(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string> = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
