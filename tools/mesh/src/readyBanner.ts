import type { DemoCaller } from './demoAccess.js';
import { DEMO_PUBLISHER_ID } from './demoWorld.js';

export interface ReadyBannerInput {
  url: string;
  /** Seconds from launch to ready. */
  seconds: number;
  callers: readonly DemoCaller[];
  /** The demo publisher's key, or why there is none. */
  apiKey: { key: string } | { note: string };
  /** For the analyst's example range; defaults to now. */
  now?: number;
}

/** One example query per caller, as a GraphQL document. */
function examples(now: number): Record<string, string> {
  const from = new Date(now - 7 * 24 * 3600_000).toISOString().slice(0, 13);
  const to = new Date(now + 3600_000).toISOString().slice(0, 13);
  return {
    PERSON: '{ me { id displayName attention { impressions engagedSeconds } } }',
    ADVERTISER: '{ campaigns { edges { node { id name status spentMicros } } } }',
    ANALYST: `{ attentionBreakdown(by: COUNTRY, metric: ENGAGED_SECONDS, from: "${from}:00:00Z", to: "${to}:00:00Z") { key value } }`,
    ADMIN: '{ users(first: 3) { edges { node { id displayName email } } } }',
    API_KEY: `mutation { requestAds(input: { placementId: "plc-demo-top" }) { ad { id creativeUrl } noFillReason impressionToken } }`,
  };
}

/**
 * What `npm start` prints once the mesh is ready: the gateway, the demo callers' credentials as
 * shell variables, and one ready-to-copy curl per caller.
 */
export function readyBanner(input: ReadyBannerInput): string {
  const { url, callers, apiKey } = input;
  const query = examples(input.now ?? Date.now());
  const credentials = [
    ...callers.map((c) => ({ name: c.name, value: c.token, about: c.about })),
    ...('key' in apiKey
      ? [
          {
            name: 'API_KEY',
            value: apiKey.key,
            about: `publisher ${DEMO_PUBLISHER_ID}: ads:request events:write`,
          },
        ]
      : []),
  ];
  const curl = (header: string, document: string) =>
    `    curl -s ${url} -H 'content-type: application/json' -H "${header}" -d '${JSON.stringify({ query: document })}'`;
  const lines = [
    '',
    `  attention-mesh is up in ${input.seconds.toFixed(1)} s`,
    `  gateway:  ${url}   (open it in a browser for Apollo Sandbox)`,
    '',
    '  demo callers (development tokens, 12 h; more with `npm run -s token -- --sub <userId> --scope "<scopes>"`):',
    ...credentials.map((c) => `    export ${c.name}='${c.value}'  # ${c.about}`),
    ...('note' in apiKey ? [`    # ${apiKey.note}`] : []),
    '  try:',
    ...callers.map((c) => curl(`Authorization: Bearer $${c.name}`, query[c.name] ?? '{ __typename }')),
    ...('key' in apiKey ? [curl('x-api-key: $API_KEY', query.API_KEY as string)] : []),
    '  Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}
