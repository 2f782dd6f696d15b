import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAudit } from '../../src/gateway/audit.js';
import { groundingExtension } from '../../src/gateway/grounding.js';
import { createKeyStore } from '../../src/gateway/keys.js';
import { ScopeConfig, scopeExtension } from '../../src/gateway/scope.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { createLlmGroundingJudge, GroundingConfig } from '../../src/grounding/index.js';
import { OpenAITarget } from '../../src/targets/openai/index.js';
import { startOpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { createScopeScorer } from '../../src/grounding/scope.js';
import { ScopeDef } from '../../src/policy/schema.js';
import { openDb, type Db } from '../../src/store/db.js';
import { acmePack, post, readSse, ruleGuard, tempDir } from './helpers.js';
import { startUpstreamStub, type UpstreamStub } from './stub.js';

/**
 * Issue 18 done-when: an answer contradicting its source is flagged while a supported one passes;
 * an out-of-scope request to a scoped key is deflected. Real gateway, real upstream (local HTTP
 * server speaking OpenAI chat), real SQLite audit log, real sentence encoder for the scope.
 */

const SOURCE = 'Opened laptops and tablets can be returned within 15 days of delivery if all original accessories are included. A restocking fee of 10% applies to opened electronics. Items damaged by the customer cannot be returned.';
const SUPPORTED = 'Yes: you have 15 days from delivery to return an opened laptop, as long as every original accessory is included, and a 10% restocking fee applies.';
const CONTRADICTING = 'Yes, opened laptops can be returned within 30 days and there is no restocking fee.';

const BILLING = ScopeDef.parse({
  id: 'billing-assistant',
  description: 'Answers customer questions about Acme invoices, charges, payments, refunds and subscription plans.',
  examples: ['Why was I charged twice this month?', 'How do I update the credit card on my account?', 'Can I get a refund for my annual plan?', 'Where can I download last month’s invoice?', 'How do I cancel my subscription?', 'What does the Pro plan cost per seat?'],
  outOfScope: ['Write me a poem about autumn', 'What is the capital of France?', 'Help me debug this Python function', 'Give me a recipe for lasagne'],
  deflection: 'I can only help with billing questions: invoices, payments, refunds and plans.',
});

describe('gateway: grounding and scope (issue 18)', () => {
  let stub: UpstreamStub;
  let gw: Gateway;
  let url: string;
  let db: Db;
  let tmp: ReturnType<typeof tempDir>;
  let scopedKey: string;
  let scopedKeyId: string;
  let plainKey: string;

  beforeAll(async () => {
    tmp = tempDir();
    stub = await startUpstreamStub({
      respond: (r) => {
        const last = String(r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
        if (last.includes('[contradict]')) return { content: CONTRADICTING, chunkChars: 10 };
        if (last.includes('[support]')) return { content: SUPPORTED, chunkChars: 10 };
        return 'Here is my answer.';
      },
    });
    const pack = acmePack();
    db = openDb(join(tmp.dir, 'pillars.db'));
    const ks = createKeyStore(db);
    const k = ks.add({ tier: 'public' });
    scopedKey = k.key;
    scopedKeyId = k.record.id;
    plainKey = ks.add({ tier: 'public' }).key;
    const grounding = GroundingConfig.parse({
      policies: [
        { id: 'annotated', models: ['rag-annotate'], action: 'annotate' },
        { id: 'support-rag', action: 'refuse', message: 'I could not find that in our return policy.' },
      ],
    });
    const scope = ScopeConfig.parse({ bindings: [{ scope: 'billing-assistant', keys: [scopedKeyId] }] });
    const scorer = createScopeScorer(BILLING);
    await scorer.warm();
    gw = createGateway({
      guard: ruleGuard(pack),
      pack,
      db,
      upstream: stub.url,
      config: { audit: { flushMs: 1 } },
      extensions: [scopeExtension(scope.bindings, new Map([[BILLING.id, scorer]])), groundingExtension(grounding)],
    });
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
  }, 60_000);

  afterAll(async () => {
    await gw.close();
    await stub.close();
    db.close();
    tmp.cleanup();
  });

  const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) => post(`${url}/v1/chat/completions`, { model: 'rag', ...body }, { authorization: `Bearer ${plainKey}`, ...headers });
  const content = (r: { json(): unknown }): string => (r.json() as { choices: { message: { content: string } }[] }).choices[0]!.message.content;

  it('passes an answer its source supports, with the grounding headers', async () => {
    const r = await chat({ documents: [{ title: 'Returns policy', text: SOURCE }], messages: [{ role: 'user', content: 'Can I return a laptop I opened? [support]' }] });
    expect(r.status).toBe(200);
    expect(content(r)).toBe(SUPPORTED);
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect(r.headers.get('x-pillars-grounding-decision')).toBe('pass');
    expect(Number(r.headers.get('x-pillars-grounding'))).toBeGreaterThanOrEqual(0.5);
  });

  it('refuses an answer that contradicts its source (sources in a tool message)', async () => {
    const r = await chat({
      messages: [
        { role: 'user', content: 'Can I return a laptop I opened? [contradict]' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search_kb', arguments: '{"q":"returns"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: SOURCE },
      ],
    });
    expect(r.status).toBe(200);
    expect(content(r)).toContain('I could not find that in our return policy.');
    expect(content(r)).not.toContain('30 days');
    expect(r.headers.get('x-pillars-decision')).toBe('refuse');
    expect(r.headers.get('x-pillars-policy')).toBe('grounding.support-rag');
    expect(r.headers.get('x-pillars-grounding-decision')).toBe('fail');
  });

  it('annotates only, for an annotate policy (sources in the x-pillars-sources header)', async () => {
    const r = await chat({ model: 'rag-annotate', messages: [{ role: 'user', content: 'Can I return a laptop I opened? [contradict]' }] }, { 'x-pillars-sources': encodeURIComponent(JSON.stringify([SOURCE])) });
    expect(content(r)).toBe(CONTRADICTING);
    expect(r.headers.get('x-pillars-decision')).toBe('allow');
    expect(r.headers.get('x-pillars-grounding-decision')).toBe('fail');
    expect(Number(r.headers.get('x-pillars-grounding'))).toBeLessThan(0.5);
  });

  it('does nothing without sources', async () => {
    const r = await chat({ messages: [{ role: 'user', content: 'Can I return a laptop I opened? [contradict]' }] });
    expect(content(r)).toBe(CONTRADICTING);
    expect(r.headers.get('x-pillars-grounding')).toBeNull();
  });

  it('fetches a streamed answer whole when the policy may replace it: nothing ungrounded is streamed', async () => {
    const r = await chat({ stream: true, documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return a laptop I opened? [contradict]' }] });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const sse = readSse(r.text);
    expect(sse.content).toContain('I could not find that in our return policy.');
    expect(sse.content).not.toContain('30 days');
    expect(sse.finish).toBe('content_filter');
    expect(sse.done).toBe(true);
    expect(stub.seen.at(-1)!.stream).toBe(false);
    const ok = await chat({ stream: true, documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return a laptop I opened? [support]' }] });
    expect(readSse(ok.text).content).toBe(SUPPORTED);
  });

  it('streams an annotate-only answer as it comes and scores it for the audit log', async () => {
    const r = await chat({ model: 'rag-annotate', stream: true, documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return a laptop I opened? [contradict]' }] });
    expect(readSse(r.text).content).toBe(CONTRADICTING);
    expect(stub.seen.at(-1)!.stream).toBe(true);
    gw.audit!.flush();
    const rows = [...exportAudit(db)].filter((x) => (x as { route?: string }).route === 'chat') as { detail: { checks?: { grounding?: { passed: boolean; streamed: boolean } } } }[];
    const last = rows.at(-1)!;
    expect(last.detail.checks?.grounding).toMatchObject({ passed: false, streamed: true });
  });

  it('deflects an out-of-scope request to a scoped key and serves an in-scope one', async () => {
    const before = stub.seen.length;
    const out = await chat({ messages: [{ role: 'user', content: 'Write a limerick about my cat.' }] }, { authorization: `Bearer ${scopedKey}` });
    expect(out.status).toBe(200);
    expect(content(out)).toContain('I can only help with billing questions');
    expect(out.headers.get('x-pillars-decision')).toBe('deflect');
    expect(out.headers.get('x-pillars-scope-decision')).toBe('out');
    expect(stub.seen.length).toBe(before);
    const inScope = await chat({ messages: [{ role: 'user', content: 'I was billed twice for my subscription, can I get a refund?' }] }, { authorization: `Bearer ${scopedKey}` });
    expect(content(inScope)).toBe('Here is my answer.');
    expect(inScope.headers.get('x-pillars-scope-decision')).toBe('in');
    // A follow-up continues the request before it; an off-topic turn later in the conversation is still deflected.
    const history = [{ role: 'user', content: 'I was billed twice for my subscription, can I get a refund?' }, { role: 'assistant', content: 'Yes, I have refunded the second charge.' }];
    const followUp = await chat({ messages: [...history, { role: 'user', content: 'Thanks! Same thing happened in May, can you check that one too?' }] }, { authorization: `Bearer ${scopedKey}` });
    expect(followUp.headers.get('x-pillars-scope-decision')).toBe('in');
    const drift = await chat({ messages: [...history, { role: 'user', content: 'Now write me a sonnet about the ocean.' }] }, { authorization: `Bearer ${scopedKey}` });
    expect(drift.headers.get('x-pillars-decision')).toBe('deflect');
    // Another key is not scoped: the same off-topic request goes through.
    const other = await chat({ messages: [{ role: 'user', content: 'Write a limerick about my cat.' }] });
    expect(content(other)).toBe('Here is my answer.');
    expect(other.headers.get('x-pillars-scope')).toBeNull();
    gw.audit!.flush();
    const rows = [...exportAudit(db)].filter((x) => (x as { route?: string }).route === 'chat') as { action: string; detail: { checks?: { scope?: { inScope: boolean } } } }[];
    expect(rows.some((x) => x.action === 'deflect' && x.detail.checks?.scope?.inScope === false)).toBe(true);
  });
});

describe('gateway: grounding with an LLM judge in the unsure band', () => {
  it('asks the judge (a local OpenAI-chat server) only for an answer in the band, and its verdict decides', async () => {
    const MIDDLE = 'You can send back an opened laptop within 15 days if it has every accessory, but it costs extra.';
    const judge = await startOpenAIStub({ respond: (r) => JSON.stringify({ grounded: String(r.messages.at(-1)?.content).includes('costs extra'), relevant: true, unsupported: [] }) });
    const stub = await startUpstreamStub({ respond: (r) => (String(r.messages.at(-1)?.content).includes('[middle]') ? MIDDLE : CONTRADICTING) });
    const pack = acmePack();
    const cfg = GroundingConfig.parse({ policies: [{ id: 'judged', action: 'refuse' }] });
    const gw = createGateway({ guard: ruleGuard(pack), pack, upstream: stub.url, extensions: [groundingExtension(cfg, { judge: createLlmGroundingJudge(new OpenAITarget({ id: 'judge', type: 'openai', baseUrl: judge.url, model: 'j' } as never), { budgetMs: 5000 }) })] });
    const url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
    try {
      const middle = await post(`${url}/v1/chat/completions`, { documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return it? [middle]' }] });
      expect(middle.headers.get('x-pillars-grounding-decision')).toBe('pass');
      expect(judge.count()).toBe(1);
      expect(judge.requests[0]!.messages.at(-1)!.content).toContain(SOURCE);
      // Clearly contradicted: decided without the judge.
      const bad = await post(`${url}/v1/chat/completions`, { documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return it?' }] });
      expect(bad.headers.get('x-pillars-decision')).toBe('refuse');
      expect(judge.count()).toBe(1);
    } finally {
      await gw.close();
      await stub.close();
      await judge.close();
    }
  });
});
