/** Command-line flags of the benchmarks. */
import { parseArgs } from 'node:util';

/** Parses `--name value` flags into numbers (or strings), with defaults; `--help` prints them. */
export function numericArgs<T extends Record<string, number>>(
  usage: string,
  defaults: T,
  help: Record<keyof T, string>,
): T {
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { help: { type: 'boolean' } };
  for (const key of Object.keys(defaults)) options[kebab(key)] = { type: 'string' };
  const { values } = parseArgs({ options, allowPositionals: false });
  if (values.help) {
    const lines = Object.keys(defaults).map(
      (k) => `  --${kebab(k).padEnd(18)} ${help[k as keyof T]} (default ${defaults[k as keyof T]})`,
    );
    process.stdout.write(`${usage}\n\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  const out = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const raw = values[kebab(key)];
    if (typeof raw !== 'string') continue;
    const n = Number(raw.replaceAll('_', ''));
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${kebab(key)} must be a non-negative number`);
    (out as Record<string, number>)[key] = n;
  }
  return out;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
