import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type BackendSelection, selectBackend } from '../core/backend.js';

/** `--name`'s integer value (at least `min`, default 1), or `fallback` when the flag is absent. */
export function intOption(name: string, value: string | undefined, fallback: number, min?: number): number;
export function intOption(name: string, value: string | undefined): number | undefined;
export function intOption(name: string, value: string | undefined, fallback?: number, min = 1) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(
      `--${name} must be ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got "${value}"`,
    );
  }
  return n;
}

/** `--name`'s number in [0, max], or `fallback`. */
export function numberOption(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > max)
    throw new Error(`--${name} must be in [0, ${max}], got "${value}"`);
  return n;
}

/** `--name`'s value when it is one of `allowed`. */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** Progress lines go to stderr (stdout carries the results). */
export const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Selects the TensorFlow.js backend for a training CLI (`--backend`, else TFJS_BACKEND: a CLI is an entry
 * point, the only place besides service config that may read the environment) and says which.
 */
export async function trainingBackend(flag: string | undefined): Promise<BackendSelection> {
  const selection = await selectBackend({ force: flag ?? process.env.TFJS_BACKEND });
  say(`backend: ${selection.backend} (${selection.device}, ${selection.provider})`);
  return selection;
}

/** The absolute path of an input file, or an error that says what was looked for and where. */
export async function inputFile(path: string, what: string, where: string): Promise<string> {
  const abs = resolve(path);
  await access(abs).catch(() => {
    throw new Error(`${what} not found: ${abs} (the shared datasets sit beside the repo, in ${where})`);
  });
  return abs;
}
