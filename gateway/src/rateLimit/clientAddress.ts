import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** IPv6 clients get a /64 each (one subscriber's usual allocation), so rotating addresses buys nothing. */
function ipv6Prefix(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The address a budget is kept for: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function normalizeAddress(address: string): string {
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain)?.[1];
  if (mapped) return mapped;
  return isIP(plain) === 6 ? ipv6Prefix(plain) : plain;
}

/**
 * The client's address: the socket's peer, or with `trustProxy` (TRUST_PROXY=true, the gateway behind
 * one proxy of ours) the last `x-forwarded-for` entry, the address that proxy saw (entries before it
 * are the client's to write).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const list = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
    const last = list?.split(',').at(-1)?.trim();
    if (last && isIP(last)) return normalizeAddress(last);
  }
  return normalizeAddress(req.socket.remoteAddress ?? 'unknown');
}
