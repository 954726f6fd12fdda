/** Whether the three gateways answer alike: the `data` of each answer with its object keys sorted. */

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** The answer's `data` in a canonical form, and its errors' codes and messages (if any). */
export function canonicalAnswer(text: string): { data: string; errors: string[] } {
  const parsed = JSON.parse(text) as {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return {
    data: JSON.stringify(sortKeys(parsed.data ?? null)),
    errors: (parsed.errors ?? []).map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim()),
  };
}
