import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { ProbeStore } from '../../src/store/probes.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { tempDir } from '../eval/helpers.js';
import { pgSchema, requirePg, SKIP_PG } from '../helpers/services.js';
import { pillars } from './spawn.js';

/** Probe results on both backends: the ProbeStore contract, and `pillars probe perplexity` as a process with PILLARS_STORE. */

const tmp = tempDir();
const schemas: { drop: () => Promise<void> }[] = [];
let stub: OpenAIStub;
const LOGPROBS: Record<string, number[]> = { v1: [-0.25, -1.5, -0.0625, -2.75, -0.5], v2: [-0.125, -0.75, -0.03125] };
beforeAll(async () => {
  stub = await startOpenAIStub({ respond: (req) => ({ content: 'echo', logprobs: (LOGPROBS[req.model] ?? []).map((l, i) => ({ token: `t${i}`, logprob: l })) }) });
});
afterAll(async () => {
  await stub?.close();
  for (const s of schemas) await s.drop();
  tmp.cleanup();
});

function location(backend: 'sqlite' | 'postgres', name: string): string {
  if (backend === 'sqlite') return join(tmp.dir, `${name}.db`);
  const s = pgSchema();
  schemas.push(s);
  return s.url;
}

async function exercise(store: ProbeStore): Promise<unknown> {
  await store.add({ kind: 'perplexity', target: 't', version: 'v1', domain: 'bio', value: 1.5, n: 10, detail: {} });
  await store.add({ kind: 'perplexity', target: 't', version: 'v1', domain: 'bio', value: 2.25, n: 10, detail: {} });
  const added = await store.add({ kind: 'perplexity', target: 't', version: 'v2', domain: 'bio', value: 3.125, n: 12, detail: { a: 1 } });
  await store.add({ kind: 'sparse', target: 't', version: 'v2', domain: 'bio', value: 0.5, n: 4, detail: {} });
  expect(added).toMatchObject({ kind: 'perplexity', version: 'v2', value: 3.125, detail: { a: 1 }, createdAt: expect.any(String) });
  const latest = await store.latestByVersion('perplexity', 'bio');
  expect(latest.map((p) => [p.version, p.value])).toEqual([
    ['v1', 2.25],
    ['v2', 3.125],
  ]);
  return latest.map(({ id: _id, createdAt: _c, ...p }) => p);
}

const outputs: Record<string, { contract: unknown; cli: unknown[] }> = {};

describe.each([
  { backend: 'sqlite' as const, skip: false },
  { backend: 'postgres' as const, skip: SKIP_PG },
])('probe results on $backend', ({ backend, skip }) => {
  it.skipIf(skip)('keeps the latest result per version, through the store and through `pillars probe perplexity`', { timeout: 120_000 }, async () => {
    if (backend === 'postgres') requirePg();
    const store = await openStore(location(backend, 'contract'));
    let contract: unknown;
    try {
      contract = await exercise(store.probes);
    } finally {
      await store.close();
    }
    const dir = join(tmp.dir, backend);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pillars.yaml'), `targets:\n  - {id: m1, type: openai, baseUrl: "${stub.url}", model: v1}\n  - {id: m2, type: openai, baseUrl: "${stub.url}", model: v2}\n`);
    writeFileSync(join(dir, 'texts.jsonl'), `${JSON.stringify({ text: 'Ransomware encrypts files and demands payment.' })}\n`);
    const env = { PILLARS_STORE: location(backend, 'cli') };
    const cli: unknown[] = [];
    for (const target of ['m1', 'm2']) {
      const r = await pillars(['probe', 'perplexity', '--config', join(dir, 'pillars.yaml'), '--target', target, '--domain', 'cyber', '--file', join(dir, 'texts.jsonl'), '--json'], env, dir);
      expect(r.code, r.err).toBe(0);
      cli.push(JSON.parse(r.out.replace(/"at":\s*"[^"]+"/g, '"at":"TIME"')));
    }
    expect((cli[1] as { history: { version: string }[] }).history.map((h) => h.version)).toEqual(['v1', 'v2']);
    outputs[backend] = { contract, cli };
  });
});

describe.skipIf(SKIP_PG)('probe results on both backends', () => {
  it('are the same on PostgreSQL as on SQLite', () => {
    requirePg();
    expect(outputs.postgres).toEqual(outputs.sqlite);
  });
});
