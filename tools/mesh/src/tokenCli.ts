import { parseArgs } from 'node:util';
import { CLIENT_SCOPES, DEV_JWT_SECRET } from '@attention-mesh/platform';
import { type DevelopmentTokenClaims, signDevelopmentToken, TokenRequestError } from './tokens.js';

export const TOKEN_USAGE = `usage: npm run -s token -- --sub <userId> [--scope "<scopes>"] [--advertiser <id>] [--ttl 1h]
  --sub <userId>      the person (the token's sub), e.g. usr-demo-01
  --scope "<scopes>"  space-separated, among: ${CLIENT_SCOPES.join(' ')}
  --advertiser <id>   advertiser_id, for a member with ads:write, e.g. adv-demo-1
  --ttl <n><s|m|h|d>  lifetime, at most 30d (default 1h)
Prints a development bearer token signed with JWT_SECRET, or the development secret when it is unset.
Refused when NODE_ENV=production.`;

/** The claims asked for on the command line; a TokenRequestError for anything else. */
export function parseTokenArgs(argv: readonly string[]): DevelopmentTokenClaims {
  let values: { sub?: string; scope?: string; advertiser?: string; ttl?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string' },
        scope: { type: 'string' },
        advertiser: { type: 'string' },
        ttl: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new TokenRequestError((err as Error).message);
  }
  if (!values.sub) throw new TokenRequestError('--sub <userId> is required');
  return {
    sub: values.sub,
    ...(values.scope !== undefined && { scope: values.scope }),
    ...(values.advertiser !== undefined && { advertiserId: values.advertiser }),
    ...(values.ttl !== undefined && { ttl: values.ttl }),
  };
}

/** `npm run token`: prints the token (only it, on stdout) and returns the exit code. */
export async function runTokenCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: { log(line: string): void; error(line: string): void } = console,
): Promise<number> {
  if (env.NODE_ENV === 'production') {
    out.error('npm run token signs development tokens: refused with NODE_ENV=production');
    return 1;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    out.log(TOKEN_USAGE);
    return 0;
  }
  try {
    out.log(await signDevelopmentToken(parseTokenArgs(argv), env.JWT_SECRET || DEV_JWT_SECRET));
    return 0;
  } catch (err) {
    if (!(err instanceof TokenRequestError)) throw err;
    out.error(`${err.message}\n\n${TOKEN_USAGE}`);
    return 2;
  }
}
