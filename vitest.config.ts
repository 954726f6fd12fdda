import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

/**
 * Two projects split by file name: `unit` (`*.test.ts`: no database, no Go build, seconds) and
 * `integration` (`*.int.test.ts`: one embedded database for the whole run, started by the global setup).
 * `npm test` runs both; `npm run test:unit` is the fast loop; a path filters one workspace
 * (`npx vitest run subgraphs/users`).
 */
const everywhere = ['packages', 'subgraphs', 'gateway', 'schema', 'tools'].map((d) => `${d}/**/test/**/`);

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources, so tests need no build.
  // One graphql for all: vite would give sources graphql's ESM build (`module`), while the Apollo
  // packages (loaded by Node) require its CommonJS build; schemas crossing the two fail graphql's
  // realm check ("Cannot use GraphQLObjectType from another module or realm").
  resolve: {
    conditions: ['source'],
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: everywhere.map((d) => `${d}*.test.ts`),
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: everywhere.map((d) => `${d}*.int.test.ts`),
          exclude: ['**/node_modules/**'],
          globalSetup: ['./tools/testing/globalSetup.ts'],
        },
      },
    ],
  },
});
