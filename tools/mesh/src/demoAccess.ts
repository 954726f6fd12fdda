import { DEMO_PUBLISHER_ID } from './demoWorld.js';
import { signDevelopmentToken } from './tokens.js';

/** How long the tokens `npm start` prints stay valid: a working day. */
export const DEMO_TOKEN_TTL = '12h';

/** A ready-made caller of the demo world: a shell variable name, who it is, and its credential. */
export interface DemoCaller {
  name: string;
  about: string;
  token: string;
}

/**
 * Development tokens for the demo world's callers: a person (`usr-demo-01`), a member of the given
 * advertiser (`ads:write`), an analyst (`analytics:read`) and an admin (`admin`).
 */
export async function demoCallers(advertiserId: string, secret?: string): Promise<DemoCaller[]> {
  const sign = (claims: Parameters<typeof signDevelopmentToken>[0]) =>
    signDevelopmentToken({ ttl: DEMO_TOKEN_TTL, ...claims }, secret);
  return [
    { name: 'PERSON', about: 'usr-demo-01', token: await sign({ sub: 'usr-demo-01' }) },
    {
      name: 'ADVERTISER',
      about: `usr-demo-adv, ads:write for ${advertiserId}`,
      token: await sign({ sub: 'usr-demo-adv', scope: 'ads:write', advertiserId }),
    },
    {
      name: 'ANALYST',
      about: 'analytics:read',
      token: await sign({ sub: 'usr-demo-analyst', scope: 'analytics:read' }),
    },
    { name: 'ADMIN', about: 'admin', token: await sign({ sub: 'usr-demo-admin', scope: 'admin' }) },
  ];
}

const CREATE_KEY = `mutation { createApiKey(input: { partnerId: "${DEMO_PUBLISHER_ID}", name: "demo publisher", scopes: ["ads:request", "events:write"] }) { key } }`;

/**
 * A fresh API key for the demo publisher (it owns the demo placements), created through the gateway
 * by an admin. A failure is a one-line note, not an error: the mesh is usable without it.
 */
export async function createDemoApiKey(
  gatewayUrl: string,
  adminToken: string,
): Promise<{ key: string } | { note: string }> {
  try {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: CREATE_KEY }),
    });
    const body = (await res.json()) as {
      data?: { createApiKey?: { key?: unknown } | null } | null;
      errors?: { message: string }[];
    };
    const key = body.data?.createApiKey?.key;
    if (typeof key === 'string' && !body.errors?.length) return { key };
    const why = body.errors?.[0]?.message ?? `HTTP ${res.status}, no key in the answer`;
    return { note: `no demo publisher API key (${oneLine(why)})` };
  } catch (err) {
    return { note: `no demo publisher API key (${oneLine((err as Error).message)})` };
  }
}

const oneLine = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
};
