import { readFileSync, writeFileSync } from 'node:fs';
import { CompositionError, composeSupergraph, SUPERGRAPH_FILE } from './index.js';

/** `npm run compose` writes schema/supergraph.graphql; `--check` fails when the checked-in file is stale. */
try {
  const sdl = composeSupergraph();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SUPERGRAPH_FILE, 'utf8');
    if (current !== sdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date');
  } else {
    writeFileSync(SUPERGRAPH_FILE, sdl);
    console.log(`wrote ${SUPERGRAPH_FILE}`);
  }
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
