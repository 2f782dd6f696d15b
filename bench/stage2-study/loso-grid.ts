import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddingCache } from '../../src/classifier/embed-cache.js';
import { useLiteEncoder } from '../../src/classifier/encoder.js';
import { combinedP, loadStage2, mlpLogit, sigmoid, type MlpHead } from '../../src/classifier/stage2.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { loadPack } from '../../src/policy/load.js';
import { BENCH_DIR, CACHE_DIR, packRows, parseCsv, publicRows } from '../../scripts/stage2-data.js';
const LOOKS = ['coconot_contrast', 'hatecheck', 'coconot_original_eval', 'cyberseceval_frr'];
const LOOK = new Set(LOOKS);
const EVERY = new Set(['clinc_everyday', 'fastchat_benign', 'selfinstruct_benign', 'gsm8k_benign', 'xquad_multilingual_benign']);
const { pack } = loadPack(defaultPackPath);
const cache = new EmbeddingCache(CACHE_DIR, useLiteEncoder());
const s1: Record<string, [number, number, number]> = JSON.parse(readFileSync('bench/.tmp/s1.json', 'utf8'));
const sh: Record<string, [number, number, number]> = JSON.parse(readFileSync('bench/.tmp/s1-shadow.json', 'utf8'));
const pk = packRows(pack);
const all = publicRows(100000);
const v = (t: string): Float32Array => cache.get(t)!;
const P = (m: MlpHead, t: string): number => sigmoid(mlpLogit(m, v(t)) / m.temperature);
interface Q { s: number; b: boolean; el: boolean; p: number; y: boolean; src: string }
const mk = (m: MlpHead, rows: { text: string; unsafe: boolean; source: string }[], shadow: boolean): Q[] => rows.filter((r) => !shadow || sh[r.text]).map((r) => { const f = (shadow ? sh : s1)[r.text]!; return { s: f[0], b: f[1] === 1, el: f[2] === 1, p: P(m, r.text), y: r.unsafe, src: r.source }; });
type Rule = { lo: number; hi: number; t?: number; c?: { stage1: number; stage2: number; bias: number } };
const flag = (q: Q, r: Rule, t0: number): boolean => (!q.el || q.s < r.lo || q.s > r.hi ? q.b : r.c ? combinedP(r.c, q.s, q.p) >= 0.5 : q.p >= (r.t ?? t0));
function fig(qs: Q[], r: Rule, t0: number) {
  let tp = 0, fp = 0, pos = 0, neg = 0, lf = 0, ln = 0, ev = 0, ei = 0;
  for (const q of qs) { const b = flag(q, r, t0); if (q.y) { pos++; if (b) tp++; } else { neg++; if (b) fp++; if (LOOK.has(q.src)) { ln++; if (b) lf++; } if (EVERY.has(q.src)) { ev++; if (q.el && q.s >= r.lo && q.s <= r.hi) ei++; } } }
  const f = (x: number) => Math.round(x * 10000) / 10000;
  return { rec: f(tp / Math.max(1, pos)), or: f(fp / Math.max(1, neg)), look: f(lf / Math.max(1, ln)), f1: f((2 * tp) / Math.max(1, tp + fp + pos)), share: f(ei / Math.max(1, ev)) };
}
const lg = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
function fitStack(qs: Q[]) { let a = 0, b = 1, c = 0; for (let it = 0; it < 3000; it++) { let ga = 0, gb = 0, gc = 0; for (const q of qs) { const u = lg(q.s), w = lg(q.p); const g = sigmoid(a * u + b * w + c) - (q.y ? 1 : 0); ga += g * u; gb += g * w; gc += g; } const n = Math.max(1, qs.length); a -= (0.5 * ga) / n; b -= (0.5 * gb) / n; c -= (0.5 * gc) / n; } return { stage1: a, stage2: b, bias: c }; }
const calRows = [...all.filter((r) => r.split === 'calib'), ...pk.filter((r) => r.split === 'calib')];
const calOf = (m: MlpHead): Q[] => [...mk(m, all.filter((r) => r.split === 'calib'), true), ...mk(m, pk.filter((r) => r.split === 'calib'), false)];
const testRows = [...pk.filter((r) => r.split === 'test'), ...publicRows(1500).filter((r) => r.split === 'test')];
const bench: Record<string, string[]> = {};
for (const [name, f, p] of [['advbench', join(BENCH_DIR, 'advbench', 'harmful_behaviors.csv'), (r: Record<string, string>) => r.goal], ['harmbench', join(BENCH_DIR, 'harmbench', 'harmbench_behaviors_text_all.csv'), (r: Record<string, string>) => (r.FunctionalCategory === 'standard' ? r.Behavior : null)]] as const)
  if (existsSync(f)) bench[name] = parseCsv(readFileSync(f, 'utf8')).map(p).filter((t): t is string => !!t);
void calRows;
const base = loadStage2('models/guard-stage2.json');
const cand = loadStage2(process.argv[2] ?? 'bench/.tmp/head-all3.json');
const DEF: Rule = { lo: 0.325, hi: 0.675 };
const folds = (cap: string) => LOOKS.map((src) => { const h = loadStage2(`bench/.tmp/fold-${cap}-${src}.json`); return { src, t: h.threshold, qs: mk(h.unsafeHead, all.filter((r) => r.source === src && r.split === 'test'), false) }; });
const fb = folds('1500');
const fa = folds(process.env.FOLD ?? '100000');
const loso = (fs: typeof fb, r: Rule) => fs.map((f) => fig(f.qs, r, f.t).or);
const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10000) / 10000;
const baseCal = fig(calOf(base.unsafeHead), DEF, base.threshold);
const baseLoso = loso(fb, DEF);
console.log('BASELINE shipped default: calib', baseCal, 'test', fig(mk(base.unsafeHead, testRows, false), DEF, base.threshold), 'LOSO look OR', baseLoso, mean(baseLoso));
const cal = calOf(cand.unsafeHead);
const test = mk(cand.unsafeHead, testRows, false);
const bq = Object.fromEntries(Object.entries(bench).map(([k, ts]) => [k, mk(cand.unsafeHead, ts.map((t) => ({ text: t, unsafe: true, source: k })), false)]));
const out: { r: Rule; c: ReturnType<typeof fig>; l: number[]; ok: boolean }[] = [];
for (const lo of [0.05, 0.1, 0.15, 0.2, 0.25, 0.325]) for (const hi of [0.675, 0.8, 0.9, 1]) {
  const st = fitStack(cal.filter((q) => q.el && q.s >= lo && q.s <= hi));
  const rules: Rule[] = [];
  for (let t = 0.3; t <= 0.981; t += 0.04) rules.push({ lo, hi, t: Math.round(t * 100) / 100 });
  for (const sh2 of [-1, -0.5, 0, 0.5, 1, 1.5, 2, 3]) rules.push({ lo, hi, c: { ...st, bias: st.bias - sh2 } });
  for (const r of rules) {
    const c = fig(cal, r, cand.threshold);
    const l = loso(fa, r);
    out.push({ r, c, l, ok: c.or <= baseCal.or && c.look <= baseCal.look && c.share <= 0.1 });
  }
}
const show = (o: (typeof out)[0]) => console.log(JSON.stringify(o.r), 'calib', o.c, 'LOSO', o.l, mean(o.l), 'test', fig(test, o.r, cand.threshold), 'bench', Object.fromEntries(Object.entries(bq).map(([k, qs]) => [k, fig(qs, o.r, cand.threshold).rec])));
console.log('--- candidate default band'); show({ r: DEF, c: fig(cal, DEF, cand.threshold), l: loso(fa, DEF), ok: true });
console.log('--- best calib F1 under calib constraints');
for (const o of out.filter((o) => o.ok).sort((a, b) => b.c.f1 - a.c.f1).slice(0, 4)) show(o);
console.log('--- best calib F1 under calib constraints AND LOSO look-alike mean OR <= baseline');
for (const o of out.filter((o) => o.ok && mean(o.l) <= mean(baseLoso)).sort((a, b) => b.c.f1 - a.c.f1).slice(0, 6)) show(o);
console.log('--- best calib RECALL under calib constraints AND LOSO look-alike mean OR <= baseline (ties: F1)');
for (const o of out.filter((o) => o.ok && mean(o.l) <= mean(baseLoso)).sort((a, b) => b.c.rec - a.c.rec || b.c.f1 - a.c.f1).slice(0, 5)) show(o);
