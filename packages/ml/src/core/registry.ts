import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What every version folder holds in `metrics.json`, besides the writer's own fields. */
export interface VersionMetrics {
  trainedAt: string;
  [key: string]: unknown;
}

export interface ModelVersion {
  name: string;
  version: string;
  dir: string;
  metrics: VersionMetrics;
}

export const METRICS_FILE = 'metrics.json';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new Error(`Invalid model name "${name}": use letters, digits, ".", "_" and "-" (at most 100)`);
  }
}

/** A sortable, filesystem-safe version id from a date: 2024-05-01T12-30-00-000Z. */
export function versionId(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * Writes a new version of model `name` under `<rootDir>/<name>/<version>/`, atomically: `writer` fills a
 * hidden temporary folder, `metrics.json` is written last (the writer's metrics plus `trainedAt`), and the
 * folder is renamed into place, so readers never see a half-written version. The version is the ISO time
 * of the call (made unique with a suffix when needed).
 */
export async function saveVersion(
  rootDir: string,
  name: string,
  writer: (dir: string) => Promise<Record<string, unknown> | undefined>,
  now: Date = new Date(),
): Promise<ModelVersion> {
  checkName(name);
  const modelDir = join(rootDir, name);
  await mkdir(modelDir, { recursive: true });
  const tmp = join(modelDir, `.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    const extra = (await writer(tmp)) ?? {};
    const metrics: VersionMetrics = { ...extra, trainedAt: now.toISOString() };
    await writeFile(join(tmp, METRICS_FILE), `${JSON.stringify(metrics, null, 2)}\n`);
    const base = versionId(now);
    for (let attempt = 0; ; attempt++) {
      const version = attempt === 0 ? base : `${base}-${attempt}`;
      const dir = join(modelDir, version);
      if (await exists(dir)) continue;
      try {
        await rename(tmp, dir);
      } catch (err) {
        // Another writer took the name between the check and the rename.
        if (
          (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
          (err as NodeJS.ErrnoException).code === 'EEXIST'
        ) {
          continue;
        }
        throw err;
      }
      return { name, version, dir, metrics };
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Complete versions of `name` (folders with a readable metrics.json), oldest first. */
export async function listVersions(rootDir: string, name: string): Promise<ModelVersion[]> {
  checkName(name);
  const modelDir = join(rootDir, name);
  let entries: string[];
  try {
    entries = (await readdir(modelDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const versions: ModelVersion[] = [];
  for (const version of entries.filter((e) => !e.startsWith('.')).sort(compareVersions)) {
    const dir = join(modelDir, version);
    try {
      const metrics = JSON.parse(await readFile(join(dir, METRICS_FILE), 'utf8')) as VersionMetrics;
      versions.push({ name, version, dir, metrics });
    } catch {
      // Not a complete version (e.g. copied in by hand without metrics.json): skipped.
    }
  }
  return versions;
}

/** Orders `<iso>` before `<iso>-1` before `<iso>-2` ... before `<later iso>`. */
function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const m = /^(.*Z)(?:-(\d+))?$/.exec(v);
    return m ? ([m[1]!, Number(m[2] ?? 0)] as const) : ([v, 0] as const);
  };
  const [ab, an] = split(a);
  const [bb, bn] = split(b);
  return ab < bb ? -1 : ab > bb ? 1 : an - bn;
}

/** The newest complete version of `name`, or undefined when there is none. */
export async function latestVersion(rootDir: string, name: string): Promise<ModelVersion | undefined> {
  const versions = await listVersions(rootDir, name);
  return versions[versions.length - 1];
}

export interface WatchOptions {
  /** Poll interval (default 30 s). Polling works on every filesystem, unlike fs.watch. */
  intervalMs?: number;
  /** Called when polling or the callback fails; the watcher keeps going. */
  onError?: (err: unknown) => void;
  /** Also reports the version present at start (default true). */
  emitInitial?: boolean;
}

/**
 * Polls for a newer version of `name` and calls `onNewVersion` with it (one call at a time; a version
 * that appears while a call runs is reported after it). Returns a stop function; the timer does not keep
 * the process alive.
 */
export function watchLatest(
  rootDir: string,
  name: string,
  onNewVersion: (version: ModelVersion) => void | Promise<void>,
  options: WatchOptions = {},
): { stop: () => void; ready: Promise<void> } {
  checkName(name);
  const interval = options.intervalMs ?? 30_000;
  let current: string | undefined;
  let polled = false;
  let stopped = false;
  let running = false;
  const poll = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const latest = await latestVersion(rootDir, name);
      const initial = !polled;
      polled = true;
      if (latest && latest.version !== current && !stopped) {
        if (!initial || options.emitInitial !== false) await onNewVersion(latest);
        // Only once handled: a failed callback is retried on the next poll.
        current = latest.version;
      }
    } catch (err) {
      options.onError?.(err);
    } finally {
      running = false;
    }
  };
  const ready = poll();
  const timer = setInterval(() => void poll(), interval);
  timer.unref();
  return {
    ready,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
