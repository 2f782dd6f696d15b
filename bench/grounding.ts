/**
 * bench:grounding: how well the embedded grounding scorer agrees with labels, and what each
 * issue-18 check adds to a gateway request.
 *
 *   npm run bench:grounding [-- --n 300]
 *
 * 1. Agreement with data/grounding/*.jsonl (212 answers to 85 questions, written for Pillars;
 *    grounded / ungrounded, a few off-topic). The threshold is chosen on the tuning split (40% of
 *    the questions, by a hash of their id) and agreement is reported on the test split (the other
 *    60%), against a word-overlap baseline (share of the answer's words found in the sources,
 *    its threshold tuned the same way) measured in the same run. Also: the share of test answers
 *    in the LLM judge's band and the embedded scorer's agreement on the rest (what it decides alone).
 *    Then the fresh set (data/grounding/fresh/: 53 answers to 18 questions written after the scorer
 *    and its threshold were frozen) with the same thresholds.
 * 2. Scope agreement on data/scope/billing.jsonl (40 requests to a billing assistant), encoder and lexical.
 * 3. Latency: one gateway (real guard, shipped model, default pack; local upstream) per setting,
 *    all running at once and taking turns request by request (the same load for each); p50 / p95
 *    and the ratio to the baseline gateway without the checks. The decision cache is off, so every
 *    request is decided afresh (the guard's cost is in the baseline).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/core/context.js';
import { defaultPackPath } from '../src/core/paths.js';
import { groundingExtension } from '../src/gateway/grounding.js';
import { scopeExtension, ScopeConfig } from '../src/gateway/scope.js';
import { createGateway, type GatewayOptions } from '../src/gateway/server.js';
import { GroundingConfig, readPairs, scoreGrounding, type LabelledPair } from '../src/grounding/index.js';
import { createScopeScorer } from '../src/grounding/scope.js';
import { contentTokens } from '../src/grounding/text.js';
import { withCategories } from '../src/guard/categories.js';
import { distilCategories } from '../src/guard/distil.js';
import { createGuard } from '../src/guard/index.js';
import { loadPack } from '../src/policy/load.js';
import { PlainCategory, ScopeDef } from '../src/policy/schema.js';
import { startUpstreamStub } from '../src/targets/testing/openai-stub.js';

const root = join(import.meta.dirname, '..');
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('--n', 300);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const ctx = { signal: new AbortController().signal, log: silentLogger, runId: 'bench' };

// ---------------------------------------------------------------------------------------------
// 1. Grounding agreement
// ---------------------------------------------------------------------------------------------
const dir = join(root, 'data', 'grounding');
const pairs = readPairs(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(dir, f)));
const baseline = (p: LabelledPair): number => {
  const src = new Set(p.sources.flatMap((s) => contentTokens(s).map((t) => t.key)));
  const toks = contentTokens(p.answer);
  return toks.length ? toks.filter((t) => src.has(t.key)).length / toks.length : 1;
};
const t0 = performance.now();
const scored = pairs.map((p) => ({ p, s: scoreGrounding({ sources: p.sources, answer: p.answer, question: p.question }), b: baseline(p) }));
const perPairMs = (performance.now() - t0) / pairs.length;

function tune(rows: typeof scored, score: (r: (typeof scored)[number]) => number): number {
  let best = 0.5;
  let acc = -1;
  for (let t = 0.05; t < 1.0; t += 0.025) {
    const a = rows.filter((r) => (score(r) >= t) === r.p.grounded).length / rows.length;
    if (a > acc + 1e-9) {
      acc = a;
      best = t;
    }
  }
  return Math.round(best * 1000) / 1000;
}
function figures(rows: typeof scored, score: (r: (typeof scored)[number]) => number, t: number): { acc: number; kappa: number; precision: number; recall: number } {
  // Positive class: ungrounded (what the check must catch).
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const r of rows) {
    const flagged = score(r) < t;
    if (flagged && !r.p.grounded) tp++;
    else if (flagged) fp++;
    else if (!r.p.grounded) fn++;
    else tn++;
  }
  const n = rows.length;
  const po = (tp + tn) / n;
  const pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n);
  return { acc: po, kappa: (po - pe) / (1 - pe), precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}
const tuneRows = scored.filter((r) => r.p.split === 'tune');
const testRows = scored.filter((r) => r.p.split === 'test');
const tG = tune(tuneRows, (r) => r.s.grounding);
const tB = tune(tuneRows, (r) => r.b);
const fG = figures(testRows, (r) => r.s.grounding, tG);
const fB = figures(testRows, (r) => r.b, tB);
console.log(`grounding pairs: ${pairs.length} answers to ${new Set(pairs.map((p) => p.group)).size} questions (${pairs.filter((p) => p.grounded).length} grounded); tune ${tuneRows.length}, test ${testRows.length}`);
console.log(`  embedded scorer   threshold ${tG} (tuned)  test: accuracy ${pct(fG.acc)}  kappa ${fG.kappa.toFixed(3)}  ungrounded caught ${pct(fG.recall)} (precision ${pct(fG.precision)})`);
console.log(`  word-overlap base threshold ${tB} (tuned)  test: accuracy ${pct(fB.acc)}  kappa ${fB.kappa.toFixed(3)}  ungrounded caught ${pct(fB.recall)} (precision ${pct(fB.precision)})`);
console.log(`  ratio (scorer / baseline): accuracy ${(fG.acc / fB.acc).toFixed(2)}x, kappa ${(fG.kappa / Math.max(1e-9, fB.kappa)).toFixed(2)}x`);
const band: [number, number] = [0.3, 0.75];
const alone = testRows.filter((r) => r.s.grounding < band[0] || r.s.grounding >= band[1]);
const aloneAcc = alone.filter((r) => (r.s.grounding >= tG) === r.p.grounded).length / Math.max(1, alone.length);
console.log(`  with an LLM judge in the band [${band.join(', ')}]: ${pct(1 - alone.length / testRows.length)} of test answers go to it; the embedded scorer decides the other ${pct(alone.length / testRows.length)} alone at ${pct(aloneAcc)} accuracy`);
const kinds = [...new Set(testRows.map((r) => r.p.kind))].sort();
console.log(`  test accuracy by kind: ${kinds.map((k) => { const rs = testRows.filter((r) => r.p.kind === k); return `${k} ${rs.filter((r) => (r.s.grounding >= tG) === r.p.grounded).length}/${rs.length}`; }).join(', ')}`);
// The fresh set: written after the scorer's features and threshold were frozen, never looked at while developing them.
{
  const fresh = readPairs([join(dir, 'fresh', 'pairs-fresh.jsonl')]).map((p) => ({ p, s: scoreGrounding({ sources: p.sources, answer: p.answer, question: p.question }), b: baseline(p) }));
  const fF = figures(fresh, (r) => r.s.grounding, tG);
  const fFB = figures(fresh, (r) => r.b, tB);
  const freshAlone = fresh.filter((r) => r.s.grounding < band[0] || r.s.grounding >= band[1]);
  console.log(`  fresh set (${fresh.length} answers to ${new Set(fresh.map((r) => r.p.group)).size} questions, written after the scorer was frozen): accuracy ${pct(fF.acc)}  kappa ${fF.kappa.toFixed(3)}  ungrounded caught ${pct(fF.recall)} (precision ${pct(fF.precision)}); baseline ${pct(fFB.acc)} kappa ${fFB.kappa.toFixed(3)}; ${pct(1 - freshAlone.length / fresh.length)} in the judge's band, ${pct(freshAlone.filter((r) => (r.s.grounding >= tG) === r.p.grounded).length / Math.max(1, freshAlone.length))} right outside it`);
}
const rel = scored.filter((r) => r.s.relevance !== null);
const relAcc = rel.filter((r) => (r.s.relevance! >= 0.2) === r.p.relevant).length / rel.length;
console.log(`  relevance (threshold 0.2, all ${rel.length} answers, ${rel.filter((r) => !r.p.relevant).length} off-topic): accuracy ${pct(relAcc)}, off-topic caught ${rel.filter((r) => !r.p.relevant && r.s.relevance! < 0.2).length}/${rel.filter((r) => !r.p.relevant).length}`);
{
  // Fresh relevance pairs (written after the scorer was frozen): half of the answers are true but answer another question.
  const fr = readPairs([join(dir, 'fresh', 'relevance-fresh.jsonl')]).map((p) => ({ p, r: scoreGrounding({ sources: p.sources, answer: p.answer, question: p.question }).relevance! }));
  const right = fr.filter((x) => (x.r >= 0.2) === x.p.relevant).length;
  console.log(`  relevance, fresh set (${fr.length} answers, ${fr.filter((x) => !x.p.relevant).length} true but off-topic): accuracy ${pct(right / fr.length)}, off-topic caught ${fr.filter((x) => !x.p.relevant && x.r < 0.2).length}/${fr.filter((x) => !x.p.relevant).length}, on-topic kept ${fr.filter((x) => x.p.relevant && x.r >= 0.2).length}/${fr.filter((x) => x.p.relevant).length}`);
}
console.log(`  embedded scorer cost: ${(perPairMs * 1000).toFixed(0)} µs per answer (mean)`);

// ---------------------------------------------------------------------------------------------
// 2. Scope agreement
// ---------------------------------------------------------------------------------------------
const BILLING = ScopeDef.parse({
  id: 'billing-assistant',
  description: 'Answers customer questions about Acme invoices, charges, payments, refunds and subscription plans.',
  examples: ['Why was I charged twice this month?', 'How do I update the credit card on my account?', 'Can I get a refund for my annual plan?', 'Where can I download last month’s invoice?', 'How do I cancel my subscription?', 'What does the Pro plan cost per seat?'],
  outOfScope: ['Write me a poem about autumn', 'What is the capital of France?', 'Help me debug this Python function', 'Give me a recipe for lasagne'],
  deflection: 'I can only help with billing questions: invoices, payments, refunds and plans.',
});
const scopeRows = readFileSync(join(root, 'data', 'scope', 'billing.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; inScope: boolean });
for (const embedder of ['encoder', 'lexical'] as const) {
  const scorer = createScopeScorer(BILLING, { embedder });
  await scorer.warm();
  let right = 0;
  let unsure = 0;
  for (const r of scopeRows) {
    const v = await scorer.check(r.text, ctx);
    if (v.inScope === r.inScope) right++;
    if (v.reason.startsWith('unsure')) unsure++;
  }
  console.log(`scope (${embedder}): ${right}/${scopeRows.length} agree (${pct(right / scopeRows.length)}), ${unsure} in the judge's band`);
}

// ---------------------------------------------------------------------------------------------
// 3. Added latency per check
// ---------------------------------------------------------------------------------------------
const SOURCE = pairs[0]!.sources[0]!;
const ANSWER = pairs[0]!.answer;
const stub = await startUpstreamStub({ respond: () => ANSWER, record: false });
const pack = loadPack(defaultPackPath).pack;
const guard = createGuard({ pack });
const category = PlainCategory.parse({ id: 'medication-dosing', definition: 'Requests asking how much of a medicine to take or give, or how often to take it.', examples: ['How many paracetamol tablets can I take at once?', 'What dose of ibuprofen is safe for a toddler?'], action: 'deflect' });
const catLog = ['How much ibuprofen can an adult take in one day?', 'What is ibuprofen used for?', 'How often can I take aspirin?', 'Who discovered aspirin?', 'Is 800 mg of naproxen too much?', 'Can naproxen be stored in the fridge?', 'How many cetirizine tablets should I give my son?', 'What are the side effects of cetirizine?', 'What is the maximum daily dose of paracetamol?', 'Is paracetamol available without a prescription?', 'How often can a teenager take codeine?', 'What is codeine used for?'].map((text, i) => ({ ts: '', category: category.id, text, match: i % 2 === 0, by: 'judge' as const }));
const catModels = distilCategories({ categories: [category], log: catLog, minAgreement: 0.5 }).models;
const scorer = createScopeScorer(BILLING);
await scorer.warm();
// 3a. What each check costs by itself, next to the guard's own decision (alternating rounds after a warm-up).
{
  const catGuard = withCategories(guard, { categories: [category], models: catModels });
  const q = { sources: [SOURCE], answer: ANSWER, question: pairs[0]!.question };
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ['guard decision (baseline)', (i) => guard.check({ text: `Can I return a laptop I opened? (${i})`, role: 'input', caller: { tier: 'public' } }, ctx)],
    ['guard + category (distilled)', (i) => catGuard.check({ text: `Can I return a laptop I opened? (${i})`, role: 'input', caller: { tier: 'public' } }, ctx)],
    ['grounding score (1 answer)', () => Promise.resolve(scoreGrounding(q))],
  ];
  const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  const rounds = 2000;
  for (let i = 0; i < 300; i++) for (const [, f] of cases) await f(i);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < cases.length; k++) {
      const [name, f] = cases[(i + k) % cases.length]!;
      const t = performance.now();
      await f(i);
      samples.get(name)!.push(performance.now() - t);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseUs = median(samples.get(cases[0]![0])!) * 1000;
  console.log(`cost of each check by itself (median of ${rounds} rounds, order rotating, after 300 warm-up):`);
  for (const [name] of cases) {
    const us = median(samples.get(name)!) * 1000;
    console.log(`  ${name.padEnd(32)} ${us.toFixed(0).padStart(7)} µs  (${(us / baseUs).toFixed(2)}x the guard decision)`);
  }
  // The encoder runs apart: its wasm work would slow whichever check came after it.
  let t = 0;
  for (let i = 0; i < 50; i++) await scorer.check(`I was charged twice this month (${i})`, ctx);
  t = performance.now();
  const enc: number[] = [];
  for (let i = 0; i < 100; i++) {
    t = performance.now();
    await scorer.check(`I was charged twice this month (${i + 50})`, ctx);
    enc.push(performance.now() - t);
  }
  const us = median(enc) * 1000;
  console.log(`  ${'scope check (encoder, apart)'.padEnd(32)} ${us.toFixed(0).padStart(7)} µs  (${(us / baseUs).toFixed(2)}x the guard decision)`);
}

const settings: { name: string; opts: Partial<GatewayOptions>; body: Record<string, unknown> }[] = [
  { name: 'baseline (guard only)', opts: {}, body: { messages: [{ role: 'user', content: 'Can I return a laptop I opened?' }] } },
  { name: 'grounding (documents)', opts: { extensions: [groundingExtension(GroundingConfig.parse({ policies: [{ id: 'rag', action: 'annotate' }] }))] }, body: { documents: [SOURCE], messages: [{ role: 'user', content: 'Can I return a laptop I opened?' }] } },
  { name: 'scope (encoder)', opts: { extensions: [scopeExtension(ScopeConfig.parse({ bindings: [{ scope: BILLING.id, tiers: ['public'] }] }).bindings, new Map([[BILLING.id, scorer]]))] }, body: { messages: [{ role: 'user', content: 'I was charged twice this month, can I get a refund?' }] } },
];
// All gateways run at once and take turns request by request, so each sees the same machine load.
const running = await Promise.all(
  settings.map(async (s) => {
    // No decision cache: every request is decided afresh, as a new text would be.
    const gw = createGateway({ guard, pack, upstream: stub.url, config: { decisionCache: 0 }, ...s.opts });
    const { url } = await gw.listen({ port: 0, host: '127.0.0.1' });
    const payload = JSON.stringify({ model: 'm', ...s.body });
    const once = async (): Promise<number> => {
      const t = performance.now();
      const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      await r.text();
      if (r.status !== 200) throw new Error(`${s.name}: status ${r.status}`);
      return performance.now() - t;
    };
    return { s, gw, once, ms: [] as number[] };
  }),
);
for (let i = 0; i < 30; i++) for (const r of running) await r.once();
// The order rotates every round (no setting always follows the slow one).
for (let i = 0; i < N; i++) for (let k = 0; k < running.length; k++) {
  const r = running[(i + k) % running.length]!;
  r.ms.push(await r.once());
}
const results = running.map((r) => {
  const ms = [...r.ms].sort((a, b) => a - b);
  return { name: r.s.name, p50: ms[Math.floor(N * 0.5)]!, p95: ms[Math.floor(N * 0.95)]! };
});
for (const r of running) await r.gw.close();
await stub.close();
const base = results[0]!;
console.log(`latency per chat request (${N} sequential, after 30 warm-up; local upstream):`);
for (const r of results) console.log(`  ${r.name.padEnd(32)} p50 ${r.p50.toFixed(2)} ms  p95 ${r.p95.toFixed(2)} ms  (p50 ${(r.p50 / base.p50).toFixed(2)}x baseline, +${(r.p50 - base.p50).toFixed(2)} ms)`);
