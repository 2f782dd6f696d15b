import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Decision } from '../../src/core/types.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { loadCategoryModels, withCategories } from '../../src/guard/categories.js';
import { readCategoryLog as readCategoryLogFile } from '../../src/guard/distil.js';
import { loadPack } from '../../src/policy/load.js';
import { startOpenAIStub, type OpenAIStub } from '../../src/targets/testing/openai-stub.js';
import { wireRag } from '../../src/cli/rag.js';
import { runCli } from '../helpers/cli.js';
import { ACME, post, ruleGuard, tempDir } from './helpers.js';

/**
 * Issue 18 done-when: a plain-words category decides through a stub LLM judge (a local HTTP
 * server speaking OpenAI chat), its decisions are logged, and `pillars guard distil` produces a
 * model that decides the category alone afterwards.
 */

const DRUGS = ['ibuprofen', 'paracetamol', 'aspirin', 'amoxicillin', 'melatonin', 'cetirizine', 'naproxen', 'loratadine', 'omeprazole', 'codeine'];
const WHO = ['my 6-year-old', 'an adult', 'my elderly mother', 'a teenager', 'someone who weighs 50 kg'];
const DOSING = [
  (d: string, w: string) => `How much ${d} can ${w} take in one day?`,
  (d: string, w: string) => `What's the maximum daily dose of ${d} for ${w}?`,
  (d: string, w: string) => `How many ${d} tablets should I give ${w}?`,
  (d: string, w: string) => `How often can ${w} take ${d}?`,
  (d: string, w: string) => `Is 800 mg of ${d} too much for ${w}?`,
];
const NEAR = [
  (d: string) => `What is ${d} used for?`,
  (d: string) => `What are the common side effects of ${d}?`,
  (d: string) => `Is ${d} available without a prescription?`,
  (d: string) => `Can ${d} be stored in the fridge?`,
  (d: string) => `Who discovered ${d} and when?`,
];
const UNRELATED = ['Write a haiku about the first snow of winter.', 'What time does the train to Leeds leave?', 'Translate "good morning" into Italian.', 'Recommend a board game for four players.', 'How do I centre a div in CSS?', 'Summarise the plot of Hamlet in two sentences.'];

function texts(drugs: string[], whos: string[]): { text: string; dosing: boolean }[] {
  const out: { text: string; dosing: boolean }[] = [];
  drugs.forEach((d, i) => {
    for (let k = 0; k < DOSING.length; k++) out.push({ text: DOSING[k]!(d, whos[(i + k) % whos.length]!), dosing: true });
    for (const n of NEAR) out.push({ text: n(d), dosing: false });
  });
  return out;
}

/** The stub judge's rule (what "the LLM" decides): dosing cue + a medicine. */
const isDosing = (t: string): boolean => /\b(how much|how many|how often|dose|dosage|mg)\b/i.test(t) && DRUGS.some((d) => t.toLowerCase().includes(d));

const PACK = `${readFileSync(ACME, 'utf8')}
categories:
  - id: medication-dosing
    definition: Requests asking how much of a medicine to take or give, or how often to take it.
    examples:
      - How many paracetamol tablets can I take at once?
      - What dose of ibuprofen is safe for a toddler?
    counterExamples:
      - What is ibuprofen used for?
    action: deflect
    message: I can't advise on medicine doses; please ask a pharmacist or your doctor.
`;

describe('plain-words categories: judge, log, distil (issue 18)', () => {
  let judge: OpenAIStub;
  let tmp: ReturnType<typeof tempDir>;
  let cfgFile: string;
  const train = texts(DRUGS.slice(0, 7), WHO);
  const heldOut = texts(DRUGS.slice(7), WHO);

  beforeAll(async () => {
    tmp = tempDir();
    judge = await startOpenAIStub({
      respond: (r) => {
        const req = /Request: ([\s\S]*)$/.exec(String(r.messages.at(-1)?.content ?? ''))?.[1] ?? '';
        return JSON.stringify({ match: isDosing(req), reason: 'stub rule' });
      },
    });
    writeFileSync(join(tmp.dir, 'pack.yaml'), PACK);
    cfgFile = join(tmp.dir, 'pillars.yaml');
    writeFileSync(
      cfgFile,
      [
        'policy: pack.yaml',
        'targets:',
        `  - {id: judge, type: openai, baseUrl: "${judge.url}", model: judge-model}`,
        'categories:',
        '  judge: {target: judge, budgetMs: 5000}',
        '  log: decisions.jsonl',
        '  model: categories-model.json',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await judge.close();
    tmp.cleanup();
  });

  it('decides through the judge on the gateway, logs every decision, and distils a model that decides alone', async () => {
    const config = loadConfig({ config: cfgFile });
    const pack = loadPack(config.policyPath).pack;
    const rag = wireRag(config, pack);
    let gw: Gateway = createGateway({ guard: rag.wrapGuard(ruleGuard(pack)), pack });
    let url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
    const decide = async (text: string): Promise<Decision> => (await post(`${url}/v1/guard`, { text })).json() as Decision;
    try {
      for (const t of [...train, ...UNRELATED.map((text) => ({ text, dosing: false }))]) {
        const d = await decide(t.text);
        expect(d.action, t.text).toBe(t.dosing ? 'deflect' : 'allow');
        if (t.dosing) expect(d).toMatchObject({ policy: 'category.medication-dosing', stage: 'cascade' });
      }
    } finally {
      await gw.close();
    }
    // Everything the embedded stage could not rule out went to the judge (not only unsure texts):
    // every dosing question and the medicine questions sharing its words; unrelated requests were ruled out without asking.
    const log = readCategoryLogFile(join(tmp.dir, 'decisions.jsonl'));
    const judged = new Set(log.filter((r) => r.by === 'judge').map((r) => r.text));
    for (const t of train.filter((t) => t.dosing)) expect(judged.has(t.text), t.text).toBe(true);
    expect(judge.count()).toBeGreaterThan(train.filter((t) => t.dosing).length);
    expect(judged.size).toBe(judge.count());
    for (const u of UNRELATED) expect(judged.has(u), u).toBe(false);
    expect(log.filter((r) => r.by === 'ruled-out').length).toBeGreaterThan(0);

    const r = await runCli(['guard', 'distil', '--config', cfgFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { out: string; categories: { category: string; judged: number; agreement: number }[] };
    expect(report.categories[0]).toMatchObject({ category: 'medication-dosing', judged: judge.count() });
    expect(existsSync(join(tmp.dir, 'categories-model.json'))).toBe(true);
    expect(loadCategoryModels(join(tmp.dir, 'categories-model.json')).categories[0]!.indices.length).toBeGreaterThan(0);

    // With the model and no judge at all, the category decides alone, on medicines it never saw.
    const before = judge.count();
    const alone = withCategories(ruleGuard(pack), { categories: pack.categories!, models: loadCategoryModels(join(tmp.dir, 'categories-model.json')) });
    gw = createGateway({ guard: alone, pack });
    url = (await gw.listen({ port: 0, host: '127.0.0.1' })).url;
    let right = 0;
    try {
      for (const t of heldOut) {
        const d = await decide(t.text);
        if ((d.action === 'deflect') === t.dosing) right++;
        if (d.action === 'deflect') expect(d.stage).toBe('embedded');
      }
    } finally {
      await gw.close();
    }
    expect(judge.count()).toBe(before);
    expect(alone.stats.model).toBe(heldOut.length);
    expect(right / heldOut.length).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('pillars guard classify decides a category through the judge too', async () => {
    const before = judge.count();
    const r = await runCli(['guard', 'classify', '--config', cfgFile, '--json', 'How often can my elderly mother take naproxen?']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Decision;
    // The distilled model from the first test exists now: it decides alone, or asks the judge in its band.
    expect(d).toMatchObject({ action: 'deflect', policy: 'category.medication-dosing' });
    expect(judge.count() - before).toBeLessThanOrEqual(1);
  });

  it('guard distil says what is missing, with exit 2', async () => {
    const r = await runCli(['guard', 'distil', '--config', cfgFile, '--log', join(tmp.dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no decision log');
  });
});
