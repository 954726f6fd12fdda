/**
 * A process's CPU time and peak memory read from Linux's /proc, for processes the benchmark did not
 * write (Hive Gateway, the embedded database): no IPC needed, and the same measure for every contender.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** User + system CPU of the process and its descendants (cluster workers), ms. */
  cpuMs: number;
  /** The largest resident set any of them reached (VmHWM), bytes; the sum over the tree. */
  peakRssBytes: number;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === pid) out.push(Number(entry));
  }
  return out;
}

function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The processes under `pid` (children, theirs, ...). */
export function descendantsOf(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...childrenOf(pids[i]!));
  return pids.slice(1);
}

/** The CPU and peak RSS of `pid` and the processes under it (zero for a process that is gone). */
export function processUsage(pid: number, withDescendants = true): ProcessUsage {
  const pids = [pid, ...(withDescendants ? descendantsOf(pid) : [])];
  let ticks = 0;
  let rss = 0;
  for (const p of pids) {
    const fields = statFields(p);
    // After the name: state(0) ppid(1) ... utime(11) stime(12).
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
    rss += peakRss(p);
  }
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, peakRssBytes: rss };
}
