import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { loadPack } from '../../src/policy/load.js';
import {
  builtinPrefsPath,
  createRewardScorer,
  guardForRewards,
  readPrefs,
  RewardFeaturizer,
  RewardSection,
  startRewardServer,
  trainRewardModel,
  type RunningRewardServer,
} from '../../src/rewards/index.js';

/**
 * The reward server's body limit (issue 12): a body over 64 MB was cut with a connection reset.
 * Now the client gets its answer, 413, and the server keeps serving.
 */

const MAX = 64 * 1024 * 1024;

/** POST a body of `bytes` bytes in 1 MB chunks (no content-length: chunked, the harder case). */
function postChunked(url: string, bytes: number, opts: { contentLength?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/reward`, { method: 'POST', headers: { 'content-type': 'application/json', ...(opts.contentLength ? { 'content-length': String(bytes) } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let left = bytes;
    const write = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('reward server body limit', () => {
  let srv: RunningRewardServer;
  beforeAll(async () => {
    const pack = loadPack(defaultPackPath).pack;
    const guard = guardForRewards();
    const { model } = trainRewardModel({ pairs: readPrefs(builtinPrefsPath).slice(0, 200), guardModel: guard.model, guardSha256: guard.sha256, pack, seed: 1 });
    const scorer = createRewardScorer({ model, featurizer: new RewardFeaturizer(guard.model, pack), config: RewardSection.parse({}) });
    srv = await startRewardServer({ scorer, model, ctx: createCtx(), port: 0 });
  }, 60_000);
  afterAll(async () => srv?.close());

  it('a body over 64 MB is answered 413 (chunked and with content-length), not a connection reset; the server still serves', async () => {
    const chunked = await postChunked(srv.url, MAX + 1024 * 1024);
    expect(chunked.status).toBe(413);
    expect(chunked.body).toMatch(/request body over 67108864 bytes/);
    const sized = await postChunked(srv.url, MAX + 1, { contentLength: true });
    expect(sized.status).toBe(413);
    const ok = await fetch(`${srv.url}/v1/reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ prompt: 'How do I boil an egg?', response: 'Seven minutes in boiling water.' }] }) });
    expect(ok.status).toBe(200);
  });
});
