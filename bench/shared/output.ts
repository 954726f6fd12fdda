/** What the benchmarks print: progress and service logs on stderr, plain text tables on stdout. */
import type { Logger } from '@attention-mesh/platform';
import { pino } from 'pino';

const started = Date.now();

/** A progress line on stderr, with the seconds since the benchmark started. */
export function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

/** Logs of the services, warnings and up, to stderr (stdout carries the tables). */
export function stderrLogger(service: string): Logger {
  return pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service } },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A plain text table: the first column left-aligned, the others (numbers) right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
