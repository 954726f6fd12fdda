interface CachePolicy {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
}

/**
 * Narrows the client response's cache policy by a subgraph's `cache-control` answer header, as
 * @apollo/gateway's RemoteGraphQLDataSource does: no `max-age` counts as 0 (not cacheable).
 */
export function restrictCachePolicy(policy: unknown, header: string | string[] | undefined): void {
  if (typeof (policy as CachePolicy | undefined)?.restrict !== 'function') return;
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  const value = Array.isArray(header) ? header.join(',') : header;
  for (const part of value ? value.trim().split(/\s*,\s*/) : []) {
    const [name, raw] = part.split(/\s*=\s*/, 2);
    if (name === 'max-age' && raw && /^[0-9]+$/.test(raw.replace(/^"|"$/g, '')))
      hint.maxAge = Number(raw.replace(/^"|"$/g, ''));
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  (policy as CachePolicy).restrict(hint);
}
