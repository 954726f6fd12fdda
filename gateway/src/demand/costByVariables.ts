/** Read sets kept per operation: each distinct set of variables the estimate has read. */
const MAX_READ_SETS = 8;
/** Costs kept per operation before the oldest half is dropped. */
const MAX_COSTS = 1_000;

/** One variable's part of a key: `undefined` and `null` differ (a default applies only to the first). */
const part = (name: string, value: unknown) =>
  `${name}=${value === undefined ? 'u' : `j${JSON.stringify(value)}`}`;

/**
 * An operation's static cost by the values of the variables its estimate actually read: an estimate
 * branches only on what it reads, so two requests that agree on those values cost the same, whatever
 * else their variables hold (a `user(id: $id)` costs the same for every id; a `first: $n` by `$n`).
 * Bounded; an estimate that throws is not kept.
 */
export class CostByVariables {
  private readonly readSets: string[][] = [];
  private readonly costs = new Map<string, number>();

  cost(variables: Record<string, unknown>, estimate: (variables: Record<string, unknown>) => number): number {
    for (const names of this.readSets) {
      const known = this.costs.get(keyOf(names, variables));
      if (known !== undefined) return known;
    }
    const read = new Set<string>();
    const tracked = new Proxy(variables, {
      get(target, name, receiver) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name, receiver);
      },
      has(target, name) {
        if (typeof name === 'string') read.add(name);
        return Reflect.has(target, name);
      },
      ownKeys(target) {
        // Enumerated (copied): every variable counts.
        for (const name of Reflect.ownKeys(target)) if (typeof name === 'string') read.add(name);
        return Reflect.ownKeys(target);
      },
    });
    const cost = estimate(tracked);
    const names = [...read].sort();
    const id = names.join('\u0000');
    if (!this.readSets.some((s) => s.join('\u0000') === id)) {
      if (this.readSets.length >= MAX_READ_SETS) return cost;
      this.readSets.push(names);
    }
    if (this.costs.size >= MAX_COSTS)
      for (const key of [...this.costs.keys()].slice(0, MAX_COSTS / 2)) this.costs.delete(key);
    this.costs.set(keyOf(names, variables), cost);
    return cost;
  }
}

function keyOf(names: readonly string[], variables: Record<string, unknown>): string {
  let key = '';
  for (const name of names) key += `${part(name, variables[name])}\u0000`;
  return key;
}
