import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './setup.js';

/** The examples under examples/integrations/ run as written against a gateway and a model server. */

const ROOT = join(import.meta.dirname, '..', '..');

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', PYTHONDONTWRITEBYTECODE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('examples/integrations', () => {
  let rig: Rig;
  let env: Record<string, string>;
  beforeAll(async () => {
    rig = await startRig((last) => ({ content: `You said: ${last}`, chunkChars: 5 }));
    env = { PILLARS_URL: rig.gatewayUrl, MODEL_URL: rig.model.url };
  });
  afterAll(() => rig.close());

  it('ai-sdk.ts', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'examples/integrations/ai-sdk.ts'], env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('generate: You said: What is the capital of France? [stop]');
    expect(r.out).toMatch(/refused: .*policy safety\.cbrn.*\[content-filter\]/);
    expect(r.out).toContain('stream: You said: Tell me about tea. [stop]');
  }, 60_000);

  it('langchain.ts', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'examples/integrations/langchain.ts'], env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('guarded: You said: What is the capital of France?');
    expect(r.out).toContain('chain blocked: refuse (safety.cbrn)');
  }, 60_000);

  it('python_client.py', async () => {
    const r = await run('python3', ['examples/integrations/python_client.py'], env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('guard: allow');
    expect(r.out).toContain('stream: You said: Say hello');
  }, 60_000);
});
