import { runTokenCli } from './tokenCli.js';

/** `npm run token -- --sub <userId> [--scope "..."] [--advertiser <id>] [--ttl 1h]` (see TOKEN_USAGE). */
process.exitCode = await runTokenCli(process.argv.slice(2), process.env);
