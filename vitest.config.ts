import { defineConfig } from 'vitest/config';

/** One project per workspace (`vitest --project users`); one embedded database for the whole run. */
const workspaces = {
  platform: 'packages/platform',
  ml: 'packages/ml',
  users: 'subgraphs/users',
  attention: 'subgraphs/attention',
  recommendation: 'subgraphs/recommendation',
  ads: 'subgraphs/ads',
  feedback: 'subgraphs/feedback',
  gateway: 'gateway',
  schema: 'schema',
  mesh: 'tools/mesh',
};

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources, so tests need no build.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    globalSetup: ['./tools/testing/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: Object.entries(workspaces).map(([name, dir]) => ({
      extends: true,
      test: { name, include: [`${dir}/test/**/*.test.ts`] },
    })),
  },
});
