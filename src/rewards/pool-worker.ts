import { parentPort, workerData } from 'node:worker_threads';
import { loadDefaultModel, loadModelCached } from '../classifier/index.js';
import { loadPack } from '../policy/load.js';
import { RewardSection } from './config.js';
import { RewardFeaturizer } from './features.js';
import { RewardModel } from './model.js';
import { createRewardScorer, type RewardItem } from './scorer.js';

/** A scoring thread of the pool (pool.ts): its own guard model, pack and reward model; no judge. */
interface Init {
  model: unknown;
  policyPath: string;
  guardModelPath?: string;
  config: unknown;
}

const init = workerData as Init;
const guard = init.guardModelPath ? loadModelCached(init.guardModelPath) : loadDefaultModel();
const pack = loadPack(init.policyPath).pack;
const scorer = createRewardScorer({ model: RewardModel.deserialize(init.model), featurizer: new RewardFeaturizer(guard, pack), config: RewardSection.parse(init.config) });
parentPort!.on('message', (m: { id: number; items: RewardItem[]; reasons: boolean }) => {
  try {
    parentPort!.postMessage({ id: m.id, results: scorer.scoreSync(m.items, { reasons: m.reasons }) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error)?.message ?? String(e) });
  }
});
parentPort!.postMessage({ ready: true });
