import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';

/** The TensorFlow.js namespace the models use (the same engine whichever backend is active). */
export type TF = typeof tfjs;

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendSelection {
  backend: BackendName;
  device: 'gpu' | 'cpu';
  /** The package that provides the backend, e.g. `@tensorflow/tfjs-node-gpu`. */
  provider: string;
  tf: TF;
}

/** The subset of a pino logger this module writes to. */
export interface BackendLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SelectBackendOptions {
  /**
   * Forces one backend (the TFJS_BACKEND config value): `tensorflow`, `wasm` or `cpu`. Fails when that
   * backend cannot be loaded instead of falling back. Default: the fastest one present, in the order
   * tfjs-node-gpu, tfjs-node, wasm, cpu.
   */
  force?: string;
  logger?: BackendLogger;
}

// Variable specifiers: these optional packages are installed only in the images that need them (they
// download libtensorflow at install time), so TypeScript must not look for their types.
const NODE_GPU_PACKAGE: string = '@tensorflow/tfjs-node-gpu';
const NODE_CPU_PACKAGE: string = '@tensorflow/tfjs-node';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

let current: Promise<BackendSelection> | undefined;
let currentForce: string | undefined;

/**
 * Chooses and initialises the TensorFlow.js backend. The engine is process-wide, so the first selection
 * sticks: later calls with the same `force` share it, and a different `force` switches the backend.
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const force = options.force?.trim() || undefined;
  if (current && currentForce === force) return current;
  currentForce = force;
  current = doSelect(force, options.logger);
  current.catch(() => {
    current = undefined;
    currentForce = undefined;
  });
  return current;
}

async function doSelect(force: string | undefined, logger?: BackendLogger): Promise<BackendSelection> {
  if (force !== undefined && !BACKENDS.includes(force as BackendName)) {
    throw new Error(`Unknown TensorFlow.js backend "${force}"; valid values: ${BACKENDS.join(', ')}`);
  }
  const tried: string[] = [];
  const attempts: (() => Promise<BackendSelection | undefined>)[] = [];
  if (force === undefined || force === 'tensorflow') {
    attempts.push(() => tryNative(NODE_GPU_PACKAGE, 'gpu', tried));
    attempts.push(() => tryNative(NODE_CPU_PACKAGE, 'cpu', tried));
  }
  if (force === undefined || force === 'wasm') attempts.push(() => tryWasm(tried));
  if (force === undefined || force === 'cpu') attempts.push(() => tryCpu(tried));
  for (const attempt of attempts) {
    const selection = await attempt();
    if (selection) {
      logger?.info(
        { backend: selection.backend, device: selection.device, provider: selection.provider },
        'TensorFlow.js backend selected',
      );
      return selection;
    }
  }
  const detail = tried.join('; ');
  if (force !== undefined) throw new Error(`TensorFlow.js backend "${force}" is not available: ${detail}`);
  throw new Error(`No TensorFlow.js backend could be initialised: ${detail}`);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

async function tryNative(pkg: string, device: 'gpu' | 'cpu', tried: string[]) {
  try {
    await import(pkg);
  } catch (err) {
    tried.push(`${pkg}: ${messageOf(err)}`);
    return undefined;
  }
  // tfjs-node registers `tensorflow` on the tfjs-core it depends on. The models use this package's
  // @tensorflow/tfjs, so the two must be the same copy: install tfjs-node(-gpu) at the version of
  // @tensorflow/tfjs pinned here (4.22.0) so npm deduplicates them.
  if (!tfjs.findBackendFactory('tensorflow')) {
    tried.push(
      `${pkg}: loaded, but its "tensorflow" backend is registered on another copy of @tensorflow/tfjs-core ` +
        `(install it at version ${tfjs.version_core})`,
    );
    return undefined;
  }
  if (!(await tfjs.setBackend('tensorflow'))) {
    tried.push(`${pkg}: the "tensorflow" backend failed to initialise`);
    return undefined;
  }
  await tfjs.ready();
  return { backend: 'tensorflow', device, provider: pkg, tf: tfjs } satisfies BackendSelection;
}

async function tryWasm(tried: string[]) {
  try {
    const wasm = await import(WASM_PACKAGE);
    // In Node the .wasm binaries are read from disk, next to the package's entry point. The wasm backend
    // runs single-threaded in Node (no multithread support there), whatever setThreadsCount says.
    const entry = createRequire(import.meta.url).resolve(WASM_PACKAGE);
    wasm.setWasmPaths(`${dirname(entry)}/`);
    if (!(await tfjs.setBackend('wasm'))) {
      tried.push(`${WASM_PACKAGE}: the "wasm" backend failed to initialise`);
      return undefined;
    }
    await tfjs.ready();
    return { backend: 'wasm', device: 'cpu', provider: WASM_PACKAGE, tf: tfjs } satisfies BackendSelection;
  } catch (err) {
    tried.push(`${WASM_PACKAGE}: ${messageOf(err)}`);
    return undefined;
  }
}

async function tryCpu(tried: string[]) {
  try {
    if (!(await tfjs.setBackend('cpu'))) {
      tried.push('cpu: failed to initialise');
      return undefined;
    }
    await tfjs.ready();
    return {
      backend: 'cpu',
      device: 'cpu',
      provider: '@tensorflow/tfjs-backend-cpu',
      tf: tfjs,
    } satisfies BackendSelection;
  } catch (err) {
    tried.push(`cpu: ${messageOf(err)}`);
    return undefined;
  }
}

/** Details of the active backend for health checks, metrics and `modelInfo`. */
export function backendInfo(): { backend: string; numTensors: number; numBytes: number } {
  const m = tfjs.memory();
  return { backend: tfjs.getBackend(), numTensors: m.numTensors, numBytes: m.numBytes };
}
