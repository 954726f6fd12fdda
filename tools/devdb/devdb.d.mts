/** Types of devdb.mjs, for the TypeScript that starts the embedded database (launcher, test setup). */

export const REPO_ROOT: string;
export const DEVDB_DIR: string;
export const BIN_PATH: string;
export const DEFAULT_DATA_DIR: string;
export const DEFAULT_PORT: number;

export interface BuildProgress {
  phase: 'start' | 'tick' | 'package' | 'done';
  message: string;
  elapsedMs: number;
  packages: number;
  firstTime: boolean;
}

export interface EnsureBuiltOptions {
  onProgress?: (p: BuildProgress) => void;
  quiet?: boolean;
  force?: boolean;
}

export function ensureBuilt(
  options?: EnsureBuiltOptions,
): Promise<{ binPath: string; built: boolean; ms: number }>;

export interface StartOptions {
  /** 0 picks a free port. Default: $DEVDB_PORT or 27018. */
  port?: number;
  /** SQLite directory; default $DEVDB_DATA_DIR or <repo>/.data/devdb. One running devdb per directory. */
  dataDir?: string;
  quiet?: boolean;
  logLevel?: string;
  timeoutMs?: number;
  build?: boolean;
  unref?: boolean;
}

export interface DevdbHandle {
  uri: string;
  port: number;
  dataDir: string;
  pid: number;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startDevdb(options?: StartOptions): Promise<DevdbHandle>;

export interface DevdbStatus {
  running: boolean;
  pid?: number;
  port?: number;
  uri?: string;
  dataDir: string;
  problem?: string;
}

export function devdbStatus(options?: { dataDir?: string }): Promise<DevdbStatus>;
export function stopDevdb(options?: { dataDir?: string }): Promise<boolean>;
export function mongoPing(port: number, timeoutMs?: number): Promise<void>;
