import { type ChildProcess, spawn } from 'node:child_process';

/** One service the supervisor keeps running. */
export interface ServiceSpec {
  name: string;
  /** Node's arguments (a script, or `-e` and code); the supervisor runs them with this Node. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Wires each new child's output (e.g. to prefixed lines); without it the output is dropped. */
  attach?: (child: ChildProcess) => void;
}

export interface SupervisorOptions {
  /** The first restart's delay; it doubles with each crash within `windowMs`, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** This many crashes of one service within `windowMs` and the supervisor gives up (`onGiveUp`). */
  maxCrashes?: number;
  windowMs?: number;
  /** How long `stop` waits after SIGTERM before it sends SIGKILL. */
  killAfterMs?: number;
  /** One line per event: started, exited and restarting, given up. */
  log?: (line: string) => void;
  /** A service crashed `maxCrashes` times within `windowMs`; it is not restarted again. */
  onGiveUp?: (name: string) => void;
  now?: () => number;
}

interface Supervised {
  spec: ServiceSpec;
  child?: ChildProcess;
  /** When it crashed, within the window. */
  crashes: number[];
  restart?: NodeJS.Timeout;
}

/**
 * Runs services as child processes (each in its own process group, so a terminal's Ctrl-C reaches
 * only the launcher) and restarts one that exits, after a delay that doubles with each recent
 * crash, while the others keep running; gives up on a service that keeps crashing.
 */
export class Supervisor {
  private readonly services = new Map<string, Supervised>();
  private stopping = false;
  private readonly o: Required<Omit<SupervisorOptions, 'onGiveUp'>> & Pick<SupervisorOptions, 'onGiveUp'>;

  constructor(options: SupervisorOptions = {}) {
    this.o = {
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      maxCrashes: 5,
      windowMs: 60_000,
      killAfterMs: 15_000,
      log: (line) => console.error(line),
      now: Date.now,
      ...options,
    };
  }

  /** Whether `stop` was called: no service is started or restarted any more. */
  get stopped(): boolean {
    return this.stopping;
  }

  start(spec: ServiceSpec): void {
    const service: Supervised = { spec, crashes: [] };
    this.services.set(spec.name, service);
    this.spawn(service);
  }

  /** The running process of a service, if it runs now. */
  pid(name: string): number | undefined {
    const child = this.services.get(name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Stops every service: those named in `first` (e.g. the gateway) before the others. */
  async stop(first: readonly string[] = []): Promise<void> {
    this.stopping = true;
    for (const s of this.services.values()) clearTimeout(s.restart);
    const all = [...this.services.values()];
    await Promise.all(all.filter((s) => first.includes(s.spec.name)).map((s) => this.terminate(s)));
    await Promise.all(all.filter((s) => !first.includes(s.spec.name)).map((s) => this.terminate(s)));
  }

  /** SIGKILLs whatever still runs, synchronously (for `process.on('exit')`). */
  killAll(): void {
    this.stopping = true;
    for (const s of this.services.values()) {
      clearTimeout(s.restart);
      if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
  }

  private spawn(service: Supervised): void {
    const { spec } = service;
    const child = spawn(process.execPath, spec.args, {
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      env: spec.env ?? process.env,
      stdio: ['ignore', spec.attach ? 'pipe' : 'ignore', spec.attach ? 'pipe' : 'ignore'],
      detached: true,
    });
    service.child = child;
    spec.attach?.(child);
    let ended = false;
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      this.exited(service, how);
    };
    child.once('exit', (code, signal) => end(signal ?? `code ${code}`));
    child.once('error', (err) => end(err.message));
    if (child.pid) this.o.log(`${spec.name} started (pid ${child.pid})`);
  }

  private exited(service: Supervised, how: string): void {
    if (this.stopping) return;
    const { name } = service.spec;
    const now = this.o.now();
    service.crashes = [...service.crashes.filter((t) => now - t < this.o.windowMs), now];
    const crashes = service.crashes.length;
    const within = `${this.o.windowMs / 1000} s`;
    if (crashes >= this.o.maxCrashes) {
      this.o.log(`${name} exited (${how}), the ${ordinal(crashes)} time within ${within}: giving up`);
      this.o.onGiveUp?.(name);
      return;
    }
    const delay = Math.min(this.o.initialDelayMs * 2 ** (crashes - 1), this.o.maxDelayMs);
    this.o.log(
      `${name} exited (${how}); restarting it in ${delay / 1000} s (crash ${crashes} of ${this.o.maxCrashes - 1} allowed within ${within}), the rest keeps serving`,
    );
    service.restart = setTimeout(() => {
      if (!this.stopping) this.spawn(service);
    }, delay);
  }

  private terminate(service: Supervised): Promise<void> {
    const child = service.child;
    return new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null || !child.pid) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.killAfterMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11
      ? 'st'
      : n % 10 === 2 && n !== 12
        ? 'nd'
        : n % 10 === 3 && n !== 13
          ? 'rd'
          : 'th';
  return `${n}${suffix}`;
}
