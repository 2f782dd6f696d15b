import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createCtx } from '../../src/core/context.js';
import { TargetError } from '../../src/core/errors.js';
import type { Decision, Guard, GuardInput } from '../../src/core/types.js';
import { buildTargets, COMPLY_TEXT, REFUSAL_TEXT, targetConfigs, type GuardProvider } from '../../src/targets/index.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { tempDir } from '../eval/helpers.js';

const ctx = createCtx();
let tmp = tempDir();
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  tmp.cleanup();
  tmp = tempDir();
});

function configFile(yaml: string): ReturnType<typeof loadConfig> {
  const p = join(tmp.dir, 'pillars.yaml');
  writeFileSync(p, yaml);
  return loadConfig({ config: p });
}

const decision = (action: Decision['action'], extra: Partial<Decision> = {}): Decision => ({
  action,
  policy: action === 'allow' ? null : 'safety.weapons',
  pillar: action === 'allow' ? null : 'safety',
  topic: null,
  level: null,
  score: 0.9,
  stage: 'embedded',
  reasons: [],
  ...extra,
});

/** A guard that refuses text mentioning "weapon", redacts "555-0100", allows the rest. */
function fakeGuard(seen: GuardInput[]): GuardProvider {
  const guard: Guard = {
    async check(input) {
      seen.push(input);
      if (/weapon/i.test(input.text)) return decision('refuse');
      if (input.text.includes('555-0100')) return decision('redact', { redacted: input.text.replace('555-0100', '[PHONE]') });
      return decision('allow');
    },
  };
  return { fingerprint: 'fake-guard', guard: () => guard };
}

describe('openai target', () => {
  it('passes options, logprobs and the key header, and returns token log-probabilities', async () => {
    const stub: OpenAIStub = await startOpenAIStub({ respond: () => ({ content: 'Paris', logprobs: [{ token: 'Paris', logprob: -0.01 }] }) });
    closers.push(() => stub.close());
    process.env.PILLARS_T_KEY = 'sk-abc';
    closers.push(() => void delete process.env.PILLARS_T_KEY);
    const cfg = configFile(`targets:\n  - { id: m, type: openai, baseUrl: "${stub.url}", model: gpt-x, apiKeyEnv: PILLARS_T_KEY, options: { temperature: 0.2, maxTokens: 50 } }\n`);
    const t = buildTargets({ config: cfg }).get('m')!;
    const gen = await t.generate({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'capital of France?' }, { role: 'assistant', content: 'Paris.' }, { role: 'user', content: 'sure?' }], options: { logprobs: true, topLogprobs: 3, seed: 7 } }, ctx);
    expect(gen.text).toBe('Paris');
    expect(gen.logprobs).toEqual([{ token: 'Paris', logprob: -0.01 }]);
    const body = stub.requests[0]!.body;
    expect(body).toMatchObject({ model: 'gpt-x', temperature: 0.2, max_tokens: 50, logprobs: true, top_logprobs: 3, seed: 7 });
    expect((body.messages as unknown[]).length).toBe(4);
    expect(stub.requests[0]!.headers.authorization).toBe('Bearer sk-abc');
    expect(t.fingerprint).not.toContain('sk-abc');
    await t.close?.();
  });

  it('maps HTTP errors to TargetErrors (429/5xx retryable, 400 not)', async () => {
    const stub = await startOpenAIStub({ respond: (r) => ({ status: r.index === 0 ? 429 : 400 }) });
    closers.push(() => stub.close());
    const t = buildTargets({ config: configFile(`targets:\n  - { id: m, type: openai, baseUrl: "${stub.url}", model: x }\n`) }).get('m')!;
    const e1 = await t.generate({ messages: [{ role: 'user', content: 'a' }] }, ctx).catch((e: unknown) => e);
    const e2 = await t.generate({ messages: [{ role: 'user', content: 'a' }] }, ctx).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(TargetError);
    expect((e1 as TargetError).isRetryable).toBe(true);
    expect((e2 as TargetError).isRetryable).toBe(false);
    expect((e2 as TargetError).message).toMatch(/HTTP 400/);
  });
});

describe('http target', () => {
  it('fills the request template and reads the response path', async () => {
    const bodies: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { outputs: [{ text: 'ok from http' }] } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/generate`;
    const cfg = configFile(
      `targets:\n  - id: h\n    type: http\n    url: ${url}\n    body: { input: "{{prompt}}", history: "{{messages}}", note: "sys={{system}}", params: { t: "{{temperature}}" } }\n    responsePath: data.outputs.0.text\n    options: { temperature: 0.5 }\n`,
    );
    const t = buildTargets({ config: cfg }).get('h')!;
    const gen = await t.generate({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }] }, ctx);
    expect(gen.text).toBe('ok from http');
    expect(bodies[0]).toEqual({ input: 'hello', history: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }], note: 'sys=S', params: { t: 0.5 } });
    await t.close?.();
  });
});

describe('exec target', () => {
  it('sends the conversation as JSON on stdin and reads stdout', async () => {
    const script = join(tmp.dir, 'model.mjs');
    writeFileSync(script, "let s='';process.stdin.on('data',c=>s+=c);process.stdin.on('end',()=>{const j=JSON.parse(s);process.stdout.write(JSON.stringify({answer:'turns='+j.messages.length+' last='+j.messages.at(-1).content}));});");
    const cfg = configFile(`targets:\n  - { id: e, type: exec, command: ["${process.execPath}", "model.mjs"], responsePath: answer }\n`);
    const t = buildTargets({ config: cfg }).get('e')!;
    const gen = await t.generate({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] }, ctx);
    expect(gen.text).toBe('turns=3 last=c');
  });

  it('fails the request with the command stderr on a non-zero exit', async () => {
    const cfg = configFile('targets:\n  - { id: e, type: exec, command: "echo broken >&2; exit 3" }\n');
    const t = buildTargets({ config: cfg }).get('e')!;
    await expect(t.generate({ messages: [{ role: 'user', content: 'x' }] }, ctx)).rejects.toThrow(/exited with 3: broken/);
  });
});

describe('replay target', () => {
  it('answers from recorded pairs by normalised prompt or conversation', async () => {
    writeFileSync(
      join(tmp.dir, 'log.jsonl'),
      [
        JSON.stringify({ prompt: 'How do I  reset my PASSWORD?', response: 'Use the reset link.' }),
        JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'bye' }], response: 'goodbye' }),
      ].join('\n'),
    );
    const t = buildTargets({ config: configFile('targets:\n  - { id: r, type: replay, path: log.jsonl }\n') }).get('r')!;
    expect((await t.generate({ messages: [{ role: 'system', content: 'x' }, { role: 'user', content: ' how do i reset my password? ' }] }, ctx)).text).toBe('Use the reset link.');
    expect((await t.generate({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'Bye' }] }, ctx)).text).toBe('goodbye');
    await expect(t.generate({ messages: [{ role: 'user', content: 'unknown' }] }, ctx)).rejects.toThrow(/no recorded response/);
  });

  it('names the file and line of a bad row', async () => {
    writeFileSync(join(tmp.dir, 'bad.jsonl'), `${JSON.stringify({ prompt: 'a', response: 'b' })}\n{"prompt": "x"}\n`);
    const t = buildTargets({ config: configFile('targets:\n  - { id: r, type: replay, path: bad.jsonl }\n') }).get('r')!;
    const e = (await t.generate({ messages: [{ role: 'user', content: 'a' }] }, ctx).catch((x: unknown) => x)) as { problems: { file: string; line: number; message: string }[] };
    expect(e.problems[0]).toMatchObject({ file: 'bad.jsonl', line: 2, message: 'response: expected a string' });
  });
});

describe('guard target and composition', () => {
  it('the guard target refuses or complies with documented texts', async () => {
    const seen: GuardInput[] = [];
    const t = buildTargets({ config: configFile('targets: []\n'), guard: fakeGuard(seen) }).get('guard')!;
    expect((await t.generate({ messages: [{ role: 'user', content: 'build a weapon' }] }, ctx)).text).toBe(REFUSAL_TEXT);
    const ok = await t.generate({ messages: [{ role: 'user', content: 'bake bread' }] }, ctx);
    expect(ok.text).toBe(COMPLY_TEXT);
    expect(ok.guard?.input?.action).toBe('allow');
    expect(seen[0]).toMatchObject({ role: 'input', caller: { tier: 'public' } });
  });

  it('wraps a model with a system prompt and the guard on input and output', async () => {
    const stub = await startOpenAIStub({ respond: (r) => (r.messages.at(-1)!.content.includes('story') ? 'a story about a weapon' : 'call 555-0100') });
    closers.push(() => stub.close());
    const seen: GuardInput[] = [];
    const cfg = configFile(
      `targets:\n  - { id: base, type: openai, baseUrl: "${stub.url}", model: x }\n  - { id: deployed, wraps: base, systemPrompt: "You are ACME's assistant.", guard: true }\n`,
    );
    const targets = buildTargets({ config: cfg, guard: fakeGuard(seen) });
    const t = targets.get('deployed')!;
    // input refused: the wrapped model is never called
    const blocked = await t.generate({ messages: [{ role: 'user', content: 'how to make a weapon' }] }, ctx);
    expect(blocked.text).toBe(REFUSAL_TEXT);
    expect(stub.count()).toBe(0);
    // output refused
    const out = await t.generate({ messages: [{ role: 'system', content: 'Item prompt.' }, { role: 'user', content: 'tell me a story' }] }, ctx);
    expect(out.text).toBe(REFUSAL_TEXT);
    expect(out.guard?.output?.action).toBe('refuse');
    expect(stub.requests[0]!.messages[0]).toEqual({ role: 'system', content: "You are ACME's assistant.\n\nItem prompt." });
    // output redacted
    expect((await t.generate({ messages: [{ role: 'user', content: 'number?' }] }, ctx)).text).toBe('call [PHONE]');
    expect(t.fingerprint).not.toBe(targets.get('base')!.fingerprint);
    await targets.get('base')!.close?.();
  });

  it('reports an unknown `wraps` and duplicate ids at their line', () => {
    const cfg = configFile('targets:\n  - { id: a, type: guard }\n  - { id: a, type: guard }\n  - id: b\n    wraps: nope\n');
    expect(() => targetConfigs(cfg)).toThrow();
    try {
      targetConfigs(cfg);
    } catch (e) {
      const msgs = (e as { problems: { line: number; message: string }[] }).problems;
      expect(msgs).toContainEqual(expect.objectContaining({ line: 3, message: 'targets.1.id: duplicate target id "a"' }));
      expect(msgs).toContainEqual(expect.objectContaining({ line: 5, message: 'targets.2.wraps: no target with id "nope"' }));
    }
  });

  it('a gguf target on a file that is not a GGUF model fails, naming the target (the real model runs in gguf.test.ts)', async () => {
    writeFileSync(join(tmp.dir, 'm.gguf'), 'not a model');
    const t = buildTargets({ config: configFile('targets:\n  - { id: g, type: gguf, path: m.gguf }\n') }).get('g')!;
    await expect(t.generate({ messages: [{ role: 'user', content: 'x' }] }, ctx)).rejects.toThrow(/target g: cannot load .*m\.gguf: .*GGUF|npm install node-llama-cpp/);
  });
});
