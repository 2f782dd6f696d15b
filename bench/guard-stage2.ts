/**
 * `npm run bench:guard-stage2 [-- --json] [--head FILE] [--calls N]`: the guard's stage 2 (sentence
 * encoder + head, src/guard/stage2.ts) against stage 1 alone (the embedded n-gram classifier),
 * measured in the same run:
 *   1. latency: the encoder per text (p50/p99 after warm-up), stage 1 `decide`, and `check()` with
 *      stage 2 on (40 ms budget) over a realistic traffic mix (mostly everyday prompts, ~10%
 *      harmful), whose share that reaches stage 2 is printed;
 *   2. quality of stage 1 alone, stage 2 alone and both together on the held-out 20% of the public
 *      training sources (scripts/stage2-data.ts; never trained on), with the benign look-alike
 *      sources' flag rate as over-refusal;
 *   3. recall on HarmBench and AdvBench (../shared/benchmarks: measured, never trained on).
 * Quality runs read embeddings through the cache in .cache/stage2 (the same vectors the encoder
 * gives, without the budget, since quality is not latency); latency runs call the encoder itself.
 * Without ../shared, only the pack's held-out rows and the latency part run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { EmbeddingCache } from '../src/classifier/embed-cache.js';
import { useLiteEncoder, type SentenceEncoder } from '../src/classifier/encoder.js';
import { defaultStage2Path, loadStage2 } from '../src/classifier/stage2.js';
import { loadDefaultModel } from '../src/classifier/index.js';
import { defaultPackPath } from '../src/core/paths.js';
import { prng, shuffle } from '../src/core/random.js';
import type { Ctx, Decision } from '../src/core/types.js';
import { createGuard, type PolicyGuard } from '../src/guard/index.js';
import { loadPack } from '../src/policy/load.js';
import { BENCH_DIR, CACHE_DIR, packRows, parseCsv, publicRows, type Stage2Row } from '../scripts/stage2-data.js';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, head: { type: 'string' }, calls: { type: 'string', default: '400' } } });
const CALLS = Number(args.calls);
const ctx: Ctx = { signal: new AbortController().signal, log: pino({ level: 'silent' }), runId: 'bench' };

const { pack } = loadPack(defaultPackPath);
const model = loadDefaultModel();
const head = loadStage2(args.head ?? defaultStage2Path);
const encoder = useLiteEncoder();
const cache = new EmbeddingCache(CACHE_DIR, encoder);
/** The same vectors as the encoder, read from (and added to) the cache: for quality runs. */
const cachedEncoder: SentenceEncoder = {
  id: encoder.id,
  dim: encoder.dim,
  load: () => encoder.load(),
  get loaded() {
    return true;
  },
  embed: (texts) => cache.embedAll(texts),
};

const stage1 = createGuard({ pack, model });
const both = createGuard({ pack, model, stage2: { head, encoder: cachedEncoder, budgetMs: 1e9 } });
const band = both.stage2!.band;
const blocked = (d: Decision): boolean => d.action === 'refuse' || d.action === 'deflect';
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
}
const timing = (xs: number[]): { p50: number; p99: number; mean: number } => ({
  p50: r4(pct(xs, 0.5)),
  p99: r4(pct(xs, 0.99)),
  mean: r4(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)),
});

interface Flags {
  n: number;
  stage1: number;
  stage2: number;
  both: number;
  /** Rows stage 1 put in the unsure band (where stage 2 is asked). */
  inBand: number;
}

/** Flag counts of each stage alone and together (stage 2 alone: its head on every text). */
async function flags(texts: string[]): Promise<Flags> {
  const vecs = await cache.embedAll(texts);
  const f: Flags = { n: texts.length, stage1: 0, stage2: 0, both: 0, inBand: 0 };
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    const d1 = stage1.decide({ text: t });
    if (blocked(d1)) f.stage1++;
    if (head.predict(vecs[i]!).unsafe) f.stage2++;
    const d = await both.check({ text: t }, ctx);
    if (d.stage === 'encoder' || d.reasons.some((r) => r.startsWith('stage 2 not used'))) f.inBand++;
    if (blocked(d)) f.both++;
  }
  return f;
}

const rate = (f: Flags, k: 'stage1' | 'stage2' | 'both'): number => r4(f[k] / Math.max(1, f.n));

// --- quality on held-out rows ----------------------------------------------------------------
const pub = publicRows();
const heldOut: Stage2Row[] = [...packRows(pack).filter((r) => r.split === 'test'), ...pub.filter((r) => r.split === 'test')];
const groups = new Map<string, { unsafe: string[]; safe: string[] }>();
for (const r of heldOut) {
  const g = groups.get(r.source) ?? { unsafe: [], safe: [] };
  (r.unsafe ? g.unsafe : g.safe).push(r.text);
  groups.set(r.source, g);
}
const perSource: Record<string, { recall?: Record<string, number>; flagRateSafe?: Record<string, number>; n_unsafe: number; n_safe: number; inBand: number }> = {};
const total = { unsafe: { n: 0, stage1: 0, stage2: 0, both: 0, inBand: 0 }, safe: { n: 0, stage1: 0, stage2: 0, both: 0, inBand: 0 } };
const LOOKALIKES = new Set(['hatecheck', 'coconot_contrast', 'coconot_original_eval', 'cyberseceval_frr']);
const look = { n: 0, stage1: 0, stage2: 0, both: 0, inBand: 0 };
for (const [source, g] of [...groups.entries()].sort()) {
  const u = await flags(g.unsafe);
  const s = await flags(g.safe);
  for (const k of ['n', 'stage1', 'stage2', 'both', 'inBand'] as const) {
    total.unsafe[k] += u[k];
    total.safe[k] += s[k];
    if (LOOKALIKES.has(source)) look[k] += s[k];
  }
  perSource[source] = {
    n_unsafe: u.n,
    n_safe: s.n,
    inBand: u.inBand + s.inBand,
    ...(u.n ? { recall: { stage1: rate(u, 'stage1'), stage2: rate(u, 'stage2'), both: rate(u, 'both') } } : {}),
    ...(s.n ? { flagRateSafe: { stage1: rate(s, 'stage1'), stage2: rate(s, 'stage2'), both: rate(s, 'both') } } : {}),
  };
}
function summary(u: Flags, s: Flags, k: 'stage1' | 'stage2' | 'both'): { recall: number; over_refusal: number; precision: number; f1: number } {
  const tp = u[k];
  const fp = s[k];
  const fn = u.n - tp;
  return { recall: r4(tp / Math.max(1, u.n)), over_refusal: r4(fp / Math.max(1, s.n)), precision: r4(tp / Math.max(1, tp + fp)), f1: r4((2 * tp) / Math.max(1, 2 * tp + fp + fn)) };
}
const overall = { stage1: summary(total.unsafe, total.safe, 'stage1'), stage2: summary(total.unsafe, total.safe, 'stage2'), both: summary(total.unsafe, total.safe, 'both') };
const lookalikes = look.n ? { n: look.n, stage1: rate(look, 'stage1'), stage2: rate(look, 'stage2'), both: rate(look, 'both') } : null;

// --- public harmful benchmarks (recall, measure only) ------------------------------------------
const benchSets: [string, string, (r: Record<string, string>) => string | null][] = [
  ['advbench', join(BENCH_DIR, 'advbench', 'harmful_behaviors.csv'), (r) => r.goal ?? null],
  ['harmbench_standard', join(BENCH_DIR, 'harmbench', 'harmbench_behaviors_text_all.csv'), (r) => (r.FunctionalCategory === 'standard' ? (r.Behavior ?? null) : null)],
];
const benchmarks: Record<string, { n: number; inBand: number; recall: Record<string, number> }> = {};
for (const [name, file, pickText] of benchSets) {
  if (!existsSync(file)) continue;
  const texts = parseCsv(readFileSync(file, 'utf8')).map(pickText).filter((t): t is string => !!t);
  const f = await flags(texts);
  benchmarks[name] = { n: f.n, inBand: f.inBand, recall: { stage1: rate(f, 'stage1'), stage2: rate(f, 'stage2'), both: rate(f, 'both') } };
}

// --- latency -------------------------------------------------------------------------------------
// A realistic mix: 90% everyday prompts (held-out benign rows of the everyday sources, else the
// pack's benign held-out rows), 10% harmful (held-out unsafe rows).
const EVERYDAY = new Set(['clinc_everyday', 'fastchat_benign', 'selfinstruct_benign', 'gsm8k_benign', 'xquad_multilingual_benign']);
const rand = prng(5);
let benign = heldOut.filter((r) => !r.unsafe && EVERYDAY.has(r.source)).map((r) => r.text);
if (benign.length === 0) benign = heldOut.filter((r) => !r.unsafe).map((r) => r.text);
const harmful = heldOut.filter((r) => r.unsafe).map((r) => r.text);
const nHarm = Math.round(CALLS * 0.1);
const mix = shuffle([...shuffle(benign, rand).slice(0, CALLS - nHarm), ...shuffle(harmful, rand).slice(0, nHarm)], rand);

await encoder.load();
const warm = mix.slice(0, 20);
for (const t of warm) await encoder.embed([t]);
// Wall time, and this process's CPU time (on a shared machine the CPU figure says what the code
// costs; the wall figure adds the wait for a core).
const encMs: number[] = [];
const encCpuMs: number[] = [];
for (const t of mix.slice(0, Math.min(mix.length, 300))) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await encoder.embed([t]);
  encMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  encCpuMs.push((c.user + c.system) / 1000);
}
const s1Ms: number[] = [];
for (const t of mix) {
  const t0 = performance.now();
  stage1.decide({ text: t });
  s1Ms.push(performance.now() - t0);
}
const live: PolicyGuard = createGuard({ pack, model, stage2: { head, encoder } });
let reached = 0;
let overBudget = 0;
const checkMs: number[] = [];
const checkCpuMs: number[] = [];
for (const t of mix) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const d = await live.check({ text: t }, ctx);
  checkMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  checkCpuMs.push((c.user + c.system) / 1000);
  if (d.stage === 'encoder') reached++;
  else if (d.reasons.some((r) => r.startsWith('stage 2 not used'))) {
    reached++;
    if (d.reasons.some((r) => r.includes('budget'))) overBudget++;
  }
}
const latency = {
  encoder_per_text_ms: timing(encMs),
  encoder_per_text_cpu_ms: timing(encCpuMs),
  stage1_decide_ms: timing(s1Ms),
  check_with_stage2_mix_ms: timing(checkMs),
  check_with_stage2_mix_cpu_ms: timing(checkCpuMs),
};
const share = r4(reached / Math.max(1, mix.length));

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
const result = {
  head: { path: args.head ?? defaultStage2Path, encoder: head.encoder, threshold: head.threshold },
  band,
  budget_ms: live.stage2!.budgetMs,
  latency,
  traffic_mix: { n: mix.length, harmful_share: r4(nHarm / Math.max(1, mix.length)), reaching_stage2: share, over_budget: overBudget },
  heldout: { n_unsafe: total.unsafe.n, n_safe: total.safe.n, in_band: total.unsafe.inBand + total.safe.inBand, overall, lookalike_over_refusal: lookalikes, per_source: perSource },
  benchmarks,
  ratios_vs_stage1: {
    heldout_recall_both: ratio(overall.both.recall, overall.stage1.recall),
    heldout_over_refusal_both: ratio(overall.both.over_refusal, overall.stage1.over_refusal),
    heldout_f1_both: ratio(overall.both.f1, overall.stage1.f1),
    ...Object.fromEntries(Object.entries(benchmarks).map(([k, v]) => [`${k}_recall_both`, ratio(v.recall.both!, v.recall.stage1!)])),
    mix_p99_latency: ratio(latency.check_with_stage2_mix_ms.p99, latency.stage1_decide_ms.p99),
  },
  machine: { load_average_1m: r4(loadavg()[0]!), cores: availableParallelism() },
  goals: { p99_le_40ms: latency.check_with_stage2_mix_ms.p99 <= 40, cpu_p99_le_40ms: latency.check_with_stage2_mix_cpu_ms.p99 <= 40 },
};

if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const row = (name: string, o: { recall: number; over_refusal: number; precision: number; f1: number }): string =>
    `  ${name.padEnd(8)} recall ${o.recall.toFixed(3)}  over-refusal ${o.over_refusal.toFixed(3)}  precision ${o.precision.toFixed(3)}  F1 ${o.f1.toFixed(3)}`;
  const ms = (t: { p50: number; p99: number }): string => `p50 ${t.p50.toFixed(2)} ms  p99 ${t.p99.toFixed(2)} ms`;
  const out = [
    `guard stage 2 benchmark (head ${head.encoder}, threshold ${head.threshold}; unsure band [${band.map((b) => b.toFixed(2)).join(', ')}]; budget ${result.budget_ms} ms; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
    `latency:`,
    `  encoder per text (after warm-up, ${encMs.length} texts): ${ms(latency.encoder_per_text_ms)}  (cpu ${ms(latency.encoder_per_text_cpu_ms)})`,
    `  stage 1 decide (${s1Ms.length} texts):                  ${ms(latency.stage1_decide_ms)}`,
    `  check() with stage 2, traffic mix:          ${ms(latency.check_with_stage2_mix_ms)}  (cpu ${ms(latency.check_with_stage2_mix_cpu_ms)}; ${result.ratios_vs_stage1.mix_p99_latency}x stage 1 p99)`,
    `traffic mix (${mix.length} prompts, ${(result.traffic_mix.harmful_share * 100).toFixed(0)}% harmful): ${(share * 100).toFixed(1)}% reach stage 2 (${overBudget} over budget)`,
    `held-out 20% of the public sources + the pack's test rows (${total.unsafe.n} unsafe, ${total.safe.n} safe; ${result.heldout.in_band} in the unsure band):`,
    row('stage 1', overall.stage1),
    row('stage 2', overall.stage2),
    row('both', overall.both),
    lookalikes ? `  benign look-alikes (${lookalikes.n}: hatecheck, coconot, FRR safe rows) flagged: stage 1 ${lookalikes.stage1}  stage 2 ${lookalikes.stage2}  both ${lookalikes.both}` : '  benign look-alikes: ../shared not found',
    `  per source (recall on unsafe | flag rate on safe, stage1/stage2/both):`,
    ...Object.entries(perSource).map(
      ([s, v]) =>
        `    ${s.padEnd(26)} ${v.recall ? `recall ${v.recall.stage1!.toFixed(2)}/${v.recall.stage2!.toFixed(2)}/${v.recall.both!.toFixed(2)} (n=${v.n_unsafe})` : ''.padEnd(30)}  ${v.flagRateSafe ? `safe flagged ${v.flagRateSafe.stage1!.toFixed(2)}/${v.flagRateSafe.stage2!.toFixed(2)}/${v.flagRateSafe.both!.toFixed(2)} (n=${v.n_safe})` : ''}`,
    ),
    `public harmful sets (measure only): ${
      Object.entries(benchmarks)
        .map(([k, v]) => `${k} (n=${v.n}, ${v.inBand} in band) recall stage 1 ${v.recall.stage1} | stage 2 ${v.recall.stage2} | both ${v.recall.both}`)
        .join('; ') || 'not found'
    }`,
    `ratios vs stage 1 alone: held-out recall ${result.ratios_vs_stage1.heldout_recall_both}x, over-refusal ${result.ratios_vs_stage1.heldout_over_refusal_both}x, F1 ${result.ratios_vs_stage1.heldout_f1_both}x${Object.keys(benchmarks)
      .map((k) => `, ${k} recall ${(result.ratios_vs_stage1 as Record<string, number | null>)[`${k}_recall_both`]}x`)
      .join('')}`,
    `goal: check() p99 <= 40 ms with stage 2 on the traffic mix ${result.goals.p99_le_40ms ? 'met' : 'MISSED'} (wall), ${result.goals.cpu_p99_le_40ms ? 'met' : 'MISSED'} (cpu)`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
