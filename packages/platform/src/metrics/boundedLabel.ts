/** What a value outside the kept set is reported as. */
export const OTHER_LABEL = '__other';

const LABEL_VALUE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Keeps a label's cardinality bounded whatever callers send: the first `limit` distinct well-formed
 * values are reported as they are, every later one (and anything that is not a short name) as
 * `__other`. Prometheus keeps one series per value for the life of the process, so a client sending a
 * new operation name per request must not grow memory with it.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit || !LABEL_VALUE.test(value)) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}
