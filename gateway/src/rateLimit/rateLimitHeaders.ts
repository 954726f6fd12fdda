import type { BucketPolicy, Decision } from './tokenBucket.js';

/** One budget's state for the response headers. */
export interface BudgetView {
  name: string;
  policy: BucketPolicy;
  decision: Decision;
}

/**
 * The IETF "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers), structured-field
 * lists with one item per budget: `RateLimit-Policy: "requests";q=600;w=60, "cost";q=60000;w=60` and
 * `RateLimit: "requests";r=599;t=1, "cost";r=59990;t=1` (q: quota, w: window in seconds, r: remaining,
 * t: seconds until the bucket is full again).
 */
export function rateLimitHeaders(views: BudgetView[]): [string, string][] {
  if (!views.length) return [];
  return [
    [
      'ratelimit-policy',
      views
        .map((v) => `"${v.name}";q=${v.policy.capacity};w=${Math.ceil(v.policy.windowMs / 1000)}`)
        .join(', '),
    ],
    [
      'ratelimit',
      views.map((v) => `"${v.name}";r=${v.decision.remaining};t=${v.decision.resetSeconds}`).join(', '),
    ],
  ];
}
