import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the gateway that adds headers to every request: for tools that call the
 * gateway without a way to send credentials (`seedIfEmpty` of tools/mesh, until it takes headers).
 */
export async function startHeaderProxy(
  target: string,
  headers: () => Promise<Record<string, string>>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(target, {
      method: req.method ?? 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', ...(await headers()) },
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
