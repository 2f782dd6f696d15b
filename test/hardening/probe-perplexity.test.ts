import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

/** `probe perplexity` on a target that returns no log-probabilities (issue 12): was "internal error", exit 70. */
describe('probe perplexity without log-probabilities', () => {
  const tmp = tempDir();
  let stub: OpenAIStub;
  let cfg: string;
  beforeAll(async () => {
    stub = await startOpenAIStub({ respond: () => 'Repeated text without any log-probabilities.' });
    cfg = join(tmp.dir, 'pillars.yaml');
    writeFileSync(cfg, ['store: store.db', 'targets:', `  - { id: plain, type: openai, baseUrl: "${stub.url}", model: m }`].join('\n'));
  });
  afterAll(async () => {
    await stub.close();
    tmp.cleanup();
  });

  it.each(['auto', 'continuation', 'echo'])('--mode %s: a usage error naming the target, exit 2', async (mode) => {
    const r = await runCli(['probe', 'perplexity', '--target', 'plain', '--domain', 'cyber', '--mode', mode, '--config', cfg]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(mode === 'echo' ? /pillars: --mode echo: target plain's server does not support echo log-probabilities \(use --mode continuation\)/ : /pillars: --target plain: the target returned no token log-probabilities; perplexity needs a target that returns them/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });
});
