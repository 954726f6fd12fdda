import type { GroupSelection, GroupShares } from './svgPlots.js';

export const ITEM_DIMENSIONS = ['CATEGORY', 'PROVIDER'] as const;
export const USER_DIMENSIONS = ['COUNTRY', 'DEVICE', 'SEGMENT'] as const;

export interface ItemGroupReport {
  dimension: (typeof ITEM_DIMENSIONS)[number];
  groupCount: number;
  disparateExposure: number | null;
  groups: (GroupShares & { exposures: number })[];
}

export interface UserGroupReport {
  dimension: (typeof USER_DIMENSIONS)[number];
  groupCount: number;
  highestSelectionRate: number | null;
  flagged: number;
  groups: (GroupSelection & { requests: number; impressions: number; clicks: number })[];
}

/** What the audit page shows, as read through the gateway. */
export interface FairnessAudit {
  gatewayUrl: string;
  generatedAt: string;
  from: string;
  to: string;
  exposure: {
    gini: number;
    itemsExposed: number;
    totalExposures: number;
    maxShare: number;
    cap: number;
    window: number;
    catalogueSize: number;
    lorenzCurve: number[];
  };
  itemGroups: ItemGroupReport[];
  userGroups: UserGroupReport[];
}

const GROUP_FIELDS =
  'dimension groupCount disparateExposure groups { group exposures exposureShare relevanceShare ratio }';

const EXPOSURE = `query($first: Int!, $points: Int!) {
  recommendationExposure {
    gini itemsExposed totalExposures maxShare cap window catalogueSize
    lorenzCurve(points: $points)
    category: byGroup(dimension: CATEGORY, first: $first) { ${GROUP_FIELDS} }
    provider: byGroup(dimension: PROVIDER, first: $first) { ${GROUP_FIELDS} }
  }
}`;

const DELIVERY = `query($from: DateTime!, $to: DateTime!, $first: Int!) {
  ${USER_DIMENSIONS.map(
    (d) => `${d.toLowerCase()}: adDeliveryByUserGroup(dimension: ${d}, from: $from, to: $to, first: $first) {
    dimension groupCount highestSelectionRate flagged
    groups { group requests impressions clicks selectionRate fourFifthsRatio adverseImpact }
  }`,
  ).join('\n  ')}
}`;

/** A failed audit read; the message names the query and the gateway's first errors. */
export class AuditReadError extends Error {}

async function call<T>(
  url: string,
  token: string,
  what: string,
  query: string,
  variables: object,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new AuditReadError(`${what}: cannot reach ${url} (${(err as Error).message})`);
  }
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new AuditReadError(`${what}: HTTP ${res.status} without a GraphQL answer from ${url}`);
  }
  if (body.errors?.length || !body.data) {
    const shown = (body.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message.slice(0, 200)}`);
    throw new AuditReadError(`${what} failed: ${shown.join('; ') || `HTTP ${res.status}, no data`}`);
  }
  return body.data;
}

/**
 * Reads the audit through the gateway as the token's caller (an analyst or an admin): recommendation
 * exposure with its Lorenz curve and both item groupings in one query, then ads delivery by the three
 * user groupings over [from, to) in another. `progress` hears each step (the CLI writes it to stderr).
 */
export async function fetchAudit(opts: {
  gatewayUrl: string;
  token: string;
  from: Date;
  to: Date;
  first: number;
  points: number;
  progress?: (line: string) => void;
  now?: Date;
}): Promise<FairnessAudit> {
  const say = opts.progress ?? (() => {});
  say(`reading recommendationExposure from ${opts.gatewayUrl}`);
  const { recommendationExposure: e } = await call<{
    recommendationExposure: FairnessAudit['exposure'] & {
      category: ItemGroupReport;
      provider: ItemGroupReport;
    };
  }>(opts.gatewayUrl, opts.token, 'recommendationExposure', EXPOSURE, {
    first: opts.first,
    points: opts.points,
  });
  say(
    `  ${e.totalExposures} exposures of ${e.itemsExposed}/${e.catalogueSize} items, Gini ${e.gini.toFixed(3)}`,
  );
  const from = opts.from.toISOString();
  const to = opts.to.toISOString();
  say(`reading adDeliveryByUserGroup ${from} .. ${to}`);
  const delivery = await call<Record<string, UserGroupReport>>(
    opts.gatewayUrl,
    opts.token,
    'adDeliveryByUserGroup',
    DELIVERY,
    {
      from,
      to,
      first: opts.first,
    },
  );
  const userGroups = USER_DIMENSIONS.map((d) => delivery[d.toLowerCase()]!);
  for (const g of userGroups) say(`  ${g.dimension}: ${g.groupCount} groups, ${g.flagged} below four fifths`);
  const { category, provider, ...exposure } = e;
  return {
    gatewayUrl: opts.gatewayUrl,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    from,
    to,
    exposure,
    itemGroups: [category, provider],
    userGroups,
  };
}
