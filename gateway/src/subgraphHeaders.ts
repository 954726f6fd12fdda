import type { SubgraphRequest } from './plugins/gatewayPlugin.js';

type FetcherHeaders = NonNullable<SubgraphRequest['http']>['headers'];

/**
 * The headers of one subgraph call as the plugins' `willSendSubgraphRequest` hooks see them
 * (`request.http.headers`), kept in a plain record that undici sends as it is: no WHATWG `Headers`
 * object per call.
 */
export class SubgraphHeaders implements FetcherHeaders {
  readonly record: Record<string, string> = Object.create(null);

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.record[key];
    this.record[key] = had === undefined ? value : `${had}, ${value}`;
  }
  delete(name: string): void {
    delete this.record[name.toLowerCase()];
  }
  get(name: string): string | null {
    return this.record[name.toLowerCase()] ?? null;
  }
  has(name: string): boolean {
    return name.toLowerCase() in this.record;
  }
  set(name: string, value: string): void {
    this.record[name.toLowerCase()] = value;
  }
  entries(): IterableIterator<[string, string]> {
    return Object.entries(this.record)[Symbol.iterator]();
  }
  keys(): IterableIterator<string> {
    return Object.keys(this.record)[Symbol.iterator]();
  }
  values(): IterableIterator<string> {
    return Object.values(this.record)[Symbol.iterator]();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
