import { runFairnessReport } from './fairness/reportCli.js';

/** `npm run report:fairness -- [--out page.html] [--url ...] [--token ...]` (see REPORT_USAGE). */
process.exitCode = await runFairnessReport(process.argv.slice(2), process.env);
