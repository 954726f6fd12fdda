import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGAGEMENT_MODEL_NAME, EngagementModel, saveVersion } from '@attention-mesh/ml';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AttentionRuntime>;
const modelsDir = mkdtempSync(join(tmpdir(), 'attention-models-'));

async function saveModel(bias: number) {
  const model = EngagementModel.create({ seed: 1 });
  model.setOutputBias(bias);
  const version = await saveVersion(modelsDir, ENGAGEMENT_MODEL_NAME, async (dir) => {
    await model.save(dir);
    return { note: `bias ${bias}` };
  });
  model.dispose();
  return version.version;
}

const PREDICT = `query($r: [_Any!]!, $at: DateTime!) { _entities(representations: $r) { ... on User {
  attention { predictedEngagement(at: $at) { probability source modelVersion } } } } }`;
type Predicted = {
  _entities: {
    attention: { predictedEngagement: { probability: number; source: string; modelVersion: string } };
  }[];
};

beforeAll(async () => {
  await saveModel(-3);
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'), {
    env: { MODELS_DIR: modelsDir, MODEL_POLL_MS: '100', TFJS_BACKEND: 'cpu' },
  });
});
afterAll(() => sg?.stop());

describe('the learned engagement model in the subgraph', () => {
  it('serves the registry model and swaps in a new version without a restart', async () => {
    const ask = async () =>
      (
        await gql<Predicted>(
          sg.url,
          PREDICT,
          {
            r: [
              { __typename: 'User', id: 'u1' },
              { __typename: 'User', id: 'u2' },
            ],
            at: new Date(Date.now() + 3_600_000).toISOString(),
          },
          adminHeaders(),
        )
      ).data!._entities.map((e) => e.attention.predictedEngagement);
    await expect.poll(async () => (await ask())[0]?.source, { timeout: 20_000 }).toBe('MODEL');
    const first = await ask();
    expect(first[0]!.probability).toBeGreaterThan(0);
    expect(first[0]!.probability).toBeLessThan(0.5);
    const next = await saveModel(3);
    await expect.poll(async () => (await ask())[0]?.modelVersion, { timeout: 20_000 }).toBe(next);
    const second = await ask();
    expect(second[0]!.probability).toBeGreaterThan(first[0]!.probability);
  }, 60_000);
});
