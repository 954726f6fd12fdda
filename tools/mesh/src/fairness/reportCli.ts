import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_JWT_SECRET } from '@attention-mesh/platform';
import { meshPorts } from '../meshPorts.js';
import { signDevelopmentToken } from '../tokens.js';
import { renderAuditPage } from './auditPage.js';
import { AuditReadError, fetchAudit } from './fetchAudit.js';

export const REPORT_USAGE = `usage: npm run -s report:fairness -- [--out <file.html>] [--url <gateway>] [--token <bearer>]
         [--from <ISO time>] [--to <ISO time>] [--first <1-100>] [--points <2-100>]
  --out     the HTML page to write (default .data/fairness-report.html)
  --url     the gateway's GraphQL endpoint (default http://localhost:4000/graphql, moved by MESH_PORT_BASE)
  --token   an analyst's (analytics:read) or admin's bearer token; without it, a development analyst
            token signed with JWT_SECRET (or the development secret), refused with NODE_ENV=production
  --from    start of the ads delivery range (default 24 hours before --to)
  --to      end of the ads delivery range (default now); at most 31 days after --from
  --first   groups listed per dimension (default 20)
  --points  points of the Lorenz curve (default 20)
Reads recommendationExposure and adDeliveryByUserGroup through the gateway and writes one HTML page
with inline SVG plots; progress on stderr.`;

/** A bad command line; the message names the option. */
export class ReportArgsError extends Error {}

export interface ReportArgs {
  out: string;
  url: string;
  token?: string;
  from: Date;
  to: Date;
  first: number;
  points: number;
}

const HOUR_MS = 3_600_000;

function intIn(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ReportArgsError(`--${name}: an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

function timeOf(value: string | undefined, name: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const t = Date.parse(value);
  if (!Number.isFinite(t))
    throw new ReportArgsError(`--${name}: an ISO-8601 time, not ${JSON.stringify(value)}`);
  return new Date(t);
}

/** The command line, checked; defaults from `env` (MESH_PORT_BASE) and `now`. */
export function parseReportArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  now = new Date(),
): ReportArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        first: { type: 'string' },
        points: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new ReportArgsError((err as Error).message);
  }
  const to = timeOf(values.to, 'to', now);
  const from = timeOf(values.from, 'from', new Date(to.getTime() - 24 * HOUR_MS));
  if (from >= to) throw new ReportArgsError('--from must be before --to');
  if (to.getTime() - from.getTime() > 31 * 24 * HOUR_MS)
    throw new ReportArgsError('--from/--to: at most 31 days');
  let url: string;
  try {
    url = new URL(values.url ?? `http://localhost:${meshPorts(env.MESH_PORT_BASE).gateway}/graphql`).href;
  } catch (err) {
    throw new ReportArgsError(`--url: ${(err as Error).message}`);
  }
  return {
    out: values.out ?? '.data/fairness-report.html',
    url,
    ...(values.token !== undefined && { token: values.token }),
    from,
    to,
    first: intIn(values.first, 'first', 1, 100, 20),
    points: intIn(values.points, 'points', 2, 100, 20),
  };
}

/** `npm run report:fairness`: writes the audit page and returns the exit code (2: bad arguments, 1: failed). */
export async function runFairnessReport(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    err(REPORT_USAGE);
    return 0;
  }
  let args: ReportArgs;
  try {
    args = parseReportArgs(argv, env);
  } catch (e) {
    if (!(e instanceof ReportArgsError)) throw e;
    err(`${e.message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  let token = args.token;
  if (token === undefined) {
    if (env.NODE_ENV === 'production') {
      err('--token is required with NODE_ENV=production (development tokens are refused there)');
      return 2;
    }
    token = await signDevelopmentToken(
      { sub: 'usr-fairness-report', scope: 'analytics:read', ttl: '15m' },
      env.JWT_SECRET || DEV_JWT_SECRET,
    );
  }
  try {
    const audit = await fetchAudit({ gatewayUrl: args.url, token, ...args, progress: err });
    const out = resolve(args.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderAuditPage(audit));
    err(`wrote ${out}`);
    return 0;
  } catch (e) {
    if (!(e instanceof AuditReadError)) throw e;
    err(e.message);
    return 1;
  }
}
