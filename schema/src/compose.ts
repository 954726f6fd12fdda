import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CompositionError,
  composeSupergraph,
  PUBLIC_SCHEMA_FILE,
  publicSchemaFileText,
  SUPERGRAPH_FILE,
} from './index.js';

/**
 * `npm run compose` writes schema/supergraph.graphql and the partner contract schema/public.graphql
 * (the fields tagged `@tag(name: "public")`); `--check` fails when either checked-in file is stale.
 * Both fail on a composition error, including a public field that exposes a non-public type.
 * k8s/base gets copies of the two: kustomize reads files only from inside a kustomization, and the
 * gateway's ConfigMap is generated from them (its hash suffix rolls the gateway when they change).
 */
const k8sCopy = (file: string) => fileURLToPath(new URL(`../../k8s/base/${basename(file)}`, import.meta.url));
try {
  const supergraph = composeSupergraph();
  const publicSchema = publicSchemaFileText(supergraph);
  const files = [
    { file: SUPERGRAPH_FILE, text: supergraph },
    { file: PUBLIC_SCHEMA_FILE, text: publicSchema },
    { file: k8sCopy(SUPERGRAPH_FILE), text: supergraph },
    { file: k8sCopy(PUBLIC_SCHEMA_FILE), text: publicSchema },
  ];
  const name = (file: string) => relative(process.cwd(), file);
  if (process.argv.includes('--check')) {
    const stale = files.filter((f) => !existsSync(f.file) || readFileSync(f.file, 'utf8') !== f.text);
    for (const f of stale) console.error(`${name(f.file)} is stale: run \`npm run compose\` and commit it.`);
    if (stale.length) process.exit(1);
    console.log(`${files.map((f) => name(f.file)).join(' and ')} are up to date`);
  } else {
    for (const f of files) {
      writeFileSync(f.file, f.text);
      console.log(`wrote ${name(f.file)}`);
    }
  }
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
