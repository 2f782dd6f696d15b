import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { groundingExtension } from '../../src/gateway/grounding.js';
import { createKeyStore } from '../../src/gateway/keys.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { GroundingConfig } from '../../src/grounding/index.js';
import { createRewardScorer, defaultRewardModelPath, guardForRewards, loadRewardModel, RewardFeaturizer, RewardSection, startRewardServer, type RunningRewardServer } from '../../src/rewards/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { acmePack, ruleGuard, tempDir } from '../gateway/helpers.js';
import { startUpstreamStub, type UpstreamStub } from '../gateway/stub.js';
import { loadPack } from '../../src/policy/load.js';
import { defaultPackPath } from '../../src/core/paths.js';

/**
 * The stdlib-only Python client (clients/python/pillars_client.py), run by the machine's python3
 * against a running gateway (keys, grounding, streams) and a running reward server (shipped model).
 */

const SUPPORTED = 'Yes: within 15 days of delivery, with every original accessory, and a 10% restocking fee applies.';
const CONTRADICTING = 'Yes, opened laptops can be returned within 30 days and there is no restocking fee.';

describe('Python client (python3, standard library only)', () => {
  let stub: UpstreamStub;
  let gw: Gateway;
  let rewards: RunningRewardServer;
  let db: Db;
  let tmp: ReturnType<typeof tempDir>;
  let url: string;
  let key: string;

  beforeAll(async () => {
    tmp = tempDir();
    stub = await startUpstreamStub({
      respond: (r) => {
        const last = String(r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
        if (last.includes('[contradict]')) return CONTRADICTING;
        if (last.includes('[support]')) return SUPPORTED;
        return { content: `You said: ${last}`, chunkChars: 6 };
      },
    });
    db = openDb(join(tmp.dir, 'pillars.db'));
    key = createKeyStore(db).add({ tier: 'public' }).key;
    const pack = acmePack();
    gw = createGateway({ guard: ruleGuard(pack), pack, db, upstream: stub.url, extensions: [groundingExtension(GroundingConfig.parse({ policies: [{ id: 'rag', models: ['rag'], action: 'refuse' }] }))] });
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
    const model = loadRewardModel(defaultRewardModelPath);
    const scorer = createRewardScorer({ model, featurizer: new RewardFeaturizer(guardForRewards().model, loadPack(defaultPackPath).pack), config: RewardSection.parse({}) });
    rewards = await startRewardServer({ scorer, model, ctx: createCtx(), port: 0 });
  }, 60_000);

  afterAll(async () => {
    await gw.close();
    await rewards.close();
    await stub.close();
    db.close();
    tmp.cleanup();
  });

  it('passes its unittest suite against the running servers', async () => {
    const script = join(import.meta.dirname, '..', '..', 'clients', 'python', 'test_pillars_client.py');
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve, reject) => {
      const p = spawn('python3', ['-m', 'unittest', '-v', script], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PILLARS_GATEWAY_URL: url, PILLARS_API_KEY: key, PILLARS_REWARD_URL: rewards.url, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (out += c.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    expect(out).toMatch(/Ran 11 tests/);
    expect(code, out).toBe(0);
    expect(out).toMatch(/\nOK\s*$/);
  }, 60_000);
});
