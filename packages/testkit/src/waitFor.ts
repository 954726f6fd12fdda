/**
 * Reads `get` until `ok` holds and returns that value; fails after `timeoutMs` with the last value
 * read. For conditions reached asynchronously (an event consumed, a write-behind flushed): tests wait
 * on them, never for a fixed time.
 */
export async function waitFor<T>(
  get: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > until)
      throw new Error(`condition not met in ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
