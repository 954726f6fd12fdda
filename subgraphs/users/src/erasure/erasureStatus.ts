import type { ErasureDoc } from '../models/Erasure.js';

export type ErasureState = 'PENDING' | 'DONE';

export interface ServiceErasureView {
  service: string;
  state: ErasureState;
  completedAt: number | null;
  removed: number;
}

export interface ErasureView {
  requestedAt: number;
  completedAt: number | null;
  services: ServiceErasureView[];
}

/** The service that erases in the request itself. */
export const SELF = 'users';

/**
 * The state of an erasure: users first, then every expected service in the configured order, then any
 * other service that reported; complete when every expected one is done. Pure.
 */
export function erasureView(doc: ErasureDoc, expected: readonly string[]): ErasureView {
  const names = [...new Set([SELF, ...expected, ...Object.keys(doc.services)])];
  const services = names.map((service): ServiceErasureView => {
    const done = doc.services[service];
    return done
      ? { service, state: 'DONE', completedAt: done.completedAt, removed: done.removed }
      : { service, state: 'PENDING', completedAt: null, removed: 0 };
  });
  return { requestedAt: doc.requestedAt, completedAt: doc.completedAt, services };
}

/** Whether every expected service (and users) reported. Pure. */
export function allDone(doc: ErasureDoc, expected: readonly string[]): boolean {
  return [SELF, ...expected].every((s) => doc.services[s] !== undefined);
}
