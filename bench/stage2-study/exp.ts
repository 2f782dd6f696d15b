import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddingCache } from '../../src/classifier/embed-cache.js';
import { useLiteEncoder } from '../../src/classifier/encoder.js';
import { averageMlps, calibrateMlp, loadStage2, saveStage2, Stage2Head, mlpLogit, sigmoid, trainMlp, type MlpHead } from '../../src/classifier/stage2.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { loadPack } from '../../src/policy/load.js';
import { BENCH_DIR, CACHE_DIR, packRows, parseCsv, publicRows, type Stage2Row } from '../../scripts/stage2-data.js';

const { values: A } = parseArgs({ options: { configs: { type: 'string', default: 'base' }, loso: { type: 'string', default: '' }, bench: { type: 'boolean', default: false } } });
const { pack } = loadPack(defaultPackPath);
const enc = useLiteEncoder();
const cache = new EmbeddingCache(CACHE_DIR, enc);
const s1: Record<string, [number, number, number]> = JSON.parse(readFileSync('bench/.tmp/s1.json', 'utf8'));
const s1shadow: Record<string, [number, number, number]> = JSON.parse(readFileSync('bench/.tmp/s1-shadow.json', 'utf8'));
const LOOK = new Set(['hatecheck', 'coconot_contrast', 'coconot_original_eval', 'cyberseceval_frr']);
const EVERY = new Set(['clinc_everyday', 'fastchat_benign', 'selfinstruct_benign', 'gsm8k_benign', 'xquad_multilingual_benign']);
const pk = packRows(pack);
const testRows = [...pk.filter((r) => r.split === 'test'), ...publicRows(1500).filter((r) => r.split === 'test')];
const vec = (t: string): Float32Array => {
  const v = cache.get(t);
  if (!v) throw new Error(`no embedding: ${t.slice(0, 40)}`);
  return v;
};
const benchTexts: Record<string, string[]> = {};
for (const [name, f, p] of [['advbench', join(BENCH_DIR, 'advbench', 'harmful_behaviors.csv'), (r: Record<string, string>) => r.goal], ['harmbench', join(BENCH_DIR, 'harmbench', 'harmbench_behaviors_text_all.csv'), (r: Record<string, string>) => (r.FunctionalCategory === 'standard' ? r.Behavior : null)]] as const)
  if (existsSync(f)) benchTexts[name] = parseCsv(readFileSync(f, 'utf8')).map(p).filter((t): t is string => !!t);

interface Cfg { cap: number; hidden: number; l2: number; epochs: number; seeds: number[]; srcMax: number; lookW: number }
const BASE: Cfg = { cap: 1500, hidden: 64, l2: 1e-4, epochs: 15, seeds: [3], srcMax: 0, lookW: 1 };
const CFGS: Record<string, Partial<Cfg>> = {
  base: {},
  all: { cap: 100000 },
  all3: { cap: 100000, seeds: [3, 4, 5] },
  allbal: { cap: 100000, srcMax: 1500 },
  alllook2: { cap: 100000, lookW: 2 },
  base3: { seeds: [3, 4, 5] },
  all128: { cap: 100000, hidden: 128 },
  alll2: { cap: 100000, l2: 1e-3 },
};
const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const logit = (p: number): number => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));

function trainHead(cfg: Cfg, exclude: string | null): { m: MlpHead; t: number; calib: Stage2Row[] } {
  const rows = [...pk, ...publicRows(cfg.cap)].filter((r) => r.source !== exclude);
  const train = rows.filter((r) => r.split === 'train');
  const calib = rows.filter((r) => r.split === 'calib');
  const nSrc = new Map<string, number>();
  for (const r of train) nSrc.set(r.source, (nSrc.get(r.source) ?? 0) + 1);
  const w = train.map((r) => (cfg.srcMax && r.source !== 'pack' ? Math.min(1, cfg.srcMax / nSrc.get(r.source)!) : 1) * (LOOK.has(r.source) && !r.unsafe ? cfg.lookW : 1));
  const ms = cfg.seeds.map((seed) => trainMlp(train.map((r) => vec(r.text)), train.map((r) => (r.unsafe ? 1 : 0)), { hidden: cfg.hidden, l2: cfg.l2, epochs: cfg.epochs, lr: 0.05, seed, weights: w }));
  const m = averageMlps(ms);
  calibrateMlp(m, calib.map((r) => vec(r.text)), calib.map((r) => (r.unsafe ? 1 : 0)));
  const ps = calib.map((r) => ({ p: sigmoid(mlpLogit(m, vec(r.text)) / m.temperature), y: r.unsafe }));
  let t = 0.5;
  let best = -1;
  for (let th = 0.2; th <= 0.8001; th += 0.02) {
    let tp = 0, fp = 0, fn = 0;
    for (const { p, y } of ps) { if (p >= th && y) tp++; else if (p >= th) fp++; else if (y) fn++; }
    const f1 = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
    if (f1 > best) { best = f1; t = Math.round(th * 100) / 100; }
  }
  return { m, t, calib };
}

type Comb = { kind: 'handoff'; lo: number; hi: number; t: number } | { kind: 'stack'; lo: number; hi: number; a: number; b: number; c: number };
interface Pt { s1: number; b1: boolean; el: boolean; p2: number; y: boolean; src: string }
const pts = (m: MlpHead, rows: { text: string; unsafe: boolean; source: string }[], shadow = false): Pt[] =>
  rows.filter((r) => !shadow || s1shadow[r.text]).map((r) => {
    const f = (shadow ? s1shadow : s1)[r.text];
    if (!f) throw new Error('no s1 ' + r.text.slice(0, 30));
    return { s1: f[0], b1: f[1] === 1, el: f[2] === 1, p2: sigmoid(mlpLogit(m, vec(r.text)) / m.temperature), y: r.unsafe, src: r.source };
  });
function cascade(p: Pt, c: Comb): boolean {
  if (!p.el || p.s1 < c.lo || p.s1 > c.hi) return p.b1;
  if (c.kind === 'handoff') return p.p2 >= c.t;
  return c.a * logit(p.s1) + c.b * logit(p.p2) + c.c >= 0;
}
function score(ps: Pt[], f: (p: Pt) => boolean): { rec: number; or: number; look: number; f1: number; share: number; n: number } {
  let tp = 0, fp = 0, pos = 0, neg = 0, lf = 0, ln = 0;
  for (const p of ps) {
    const b = f(p);
    if (p.y) { pos++; if (b) tp++; } else { neg++; if (b) fp++; if (LOOK.has(p.src)) { ln++; if (b) lf++; } }
  }
  return { rec: r4(tp / Math.max(1, pos)), or: r4(fp / Math.max(1, neg)), look: r4(lf / Math.max(1, ln)), f1: r4((2 * tp) / Math.max(1, tp + fp + pos)), share: 0, n: ps.length };
}
const shareIn = (ps: Pt[], c: Comb): number => { const e = ps.filter((p) => !p.y && EVERY.has(p.src)); return r4(e.filter((p) => p.el && p.s1 >= c.lo && p.s1 <= c.hi).length / Math.max(1, e.length)); };

function fitStack(ps: Pt[], lo: number, hi: number): { a: number; b: number; c: number } {
  const xs = ps.filter((p) => p.el && p.s1 >= lo && p.s1 <= hi);
  let a = 0, b = 1, c = 0;
  for (let it = 0; it < 3000; it++) {
    let ga = 0, gb = 0, gc = 0;
    for (const p of xs) { const u = logit(p.s1), v = logit(p.p2); const g = sigmoid(a * u + b * v + c) - (p.y ? 1 : 0); ga += g * u; gb += g * v; gc += g; }
    const n = Math.max(1, xs.length);
    a -= (0.5 * ga) / n; b -= (0.5 * gb) / n; c -= (0.5 * gc) / n;
  }
  return { a, b, c };
}

/** Combiners picked on the calibration slice. */
let BASEL: { or: number; look: number } | null = null;
function choose(cal: Pt[], t0: number): Record<string, Comb> {
  const out: Record<string, Comb> = { default: { kind: 'handoff', lo: 0.325, hi: 0.675, t: t0 } };
  for (const SHARE of [0.05, 0.1, 0.2]) Object.assign(out, Object.fromEntries(Object.entries(choose1(cal, SHARE)).map(([k, v]) => [`${k}${Math.round(SHARE * 100)}`, v])));
  return out;
}
function choose1(cal: Pt[], SHARE: number): Record<string, Comb> {
  const s1or = BASEL!;
  const out: Record<string, Comb> = {};
  let best: { c: Comb; f1: number } | null = null;
  let bestS: { c: Comb; f1: number } | null = null;
  for (const lo of (process.env.LOS ?? '0.01,0.02,0.05,0.1,0.15,0.2,0.25,0.325').split(',').map(Number))
    for (const hi of (process.env.HIS ?? '0.675,0.8,0.9,1').split(',').map(Number)) {
      for (let t = 0.3; t <= 0.981; t += 0.02) {
        const c: Comb = { kind: 'handoff', lo, hi, t: Math.round(t * 100) / 100 };
        const s = score(cal, (p) => cascade(p, c));
        if (s.or > s1or.or || s.look > s1or.look || shareIn(cal, c) > SHARE) continue;
        if (!best || s.rec > best.f1) best = { c, f1: s.rec };
      }
      const st = fitStack(cal, lo, hi);
      for (const dc of [-2, -1, -0.5, 0, 0.5, 1, 2]) {
        const c: Comb = { kind: 'stack', lo, hi, ...st, c: st.c - dc };
        const s = score(cal, (p) => cascade(p, c));
        if (s.or > s1or.or || s.look > s1or.look || shareIn(cal, c) > SHARE) continue;
        if (!bestS || s.rec > bestS.f1) bestS = { c, f1: s.rec };
      }
    }
  if (best) out.tuned = best.c;
  if (bestS) out.stack = bestS.c;
  return out;
}

const results: unknown[] = [];
{
  const sh = loadStage2('models/guard-stage2.json');
  const cal = [...pts(sh.unsafeHead, publicRows(100000).filter((r) => r.split === 'calib'), true), ...pts(sh.unsafeHead, pk.filter((r) => r.split === 'calib'))];
  const c: Comb = { kind: 'handoff', lo: 0.325, hi: 0.675, t: sh.threshold };
  const s = score(cal, (p) => cascade(p, c));
  BASEL = { or: s.or, look: s.look };
  console.log(JSON.stringify({ baseline_calib_shadow: { ...s, share: shareIn(cal, c) }, s1: score(cal, (p) => p.b1), s2: score(cal, (p) => p.p2 >= sh.threshold) }));
}
for (const name of A.configs!.split(',')) {
  const cfg = { ...BASE, ...CFGS[name] };
  const t0 = performance.now();
  const h = name.startsWith('load:') ? (() => { const s = loadStage2(name.slice(5)); return { m: s.unsafeHead, t: s.threshold, calib: [...pk, ...publicRows(100000)].filter((r) => r.split === 'calib') }; })() : name === 'shipped' ? (() => { const s = loadStage2('models/guard-stage2.json'); return { m: s.unsafeHead, t: s.threshold, calib: [...pk, ...publicRows(1500)].filter((r) => r.split === 'calib') }; })() : trainHead(cfg, null);
  if (!name.startsWith('load:') && name !== 'shipped') saveStage2(new Stage2Head(enc.id, enc.dim, h.t, h.m, null), `bench/.tmp/head-${name}.json`);
  const cal = [...pts(h.m, publicRows(100000).filter((r) => r.split === 'calib'), true), ...pts(h.m, pk.filter((r) => r.split === 'calib'))];
  const test = pts(h.m, testRows);
  const combs = choose(cal, h.t);
  const line: Record<string, unknown> = { name, t: h.t, T: r4(h.m.temperature), secs: Math.round((performance.now() - t0) / 1000) };
  line.test_s1 = score(test, (p) => p.b1);
  line.test_s2 = score(test, (p) => p.p2 >= h.t);
  line.calib_s2 = score(pts(h.m, h.calib), (p) => p.p2 >= h.t);
  for (const [k, c] of Object.entries(combs)) {
    line[`calib_${k}`] = { ...score(cal, (p) => cascade(p, c)), share: shareIn(cal, c) };
    line[`test_${k}`] = { ...score(test, (p) => cascade(p, c)), share: shareIn(test, c), comb: c };
    const per: Record<string, string> = {};
    for (const src of [...new Set(test.map((p) => p.src))].sort()) {
      const ps = test.filter((p) => p.src === src);
      const sc = score(ps, (p) => cascade(p, c));
      per[src] = `${ps.some((p) => p.y) ? sc.rec : '-'}/${ps.some((p) => !p.y) ? sc.or : '-'}`;
    }
    line[`per_${k}`] = per;
  }
  if (A.bench) for (const [b, ts] of Object.entries(benchTexts)) {
    const bp = pts(h.m, ts.map((t) => ({ text: t, unsafe: true, source: b })));
    line[`bench_${b}`] = Object.fromEntries([['s1', score(bp, (p) => p.b1).rec], ['s2', score(bp, (p) => p.p2 >= h.t).rec], ...Object.entries(combs).map(([k, c]) => [k, score(bp, (p) => cascade(p, c)).rec])]);
  }
  console.log(JSON.stringify(line));
  results.push(line);
  // LOSO: stage 2 without the source, measured on that source's held-out rows (stage 1 never trained on them either).
  for (const src of A.loso!.split(',').filter(Boolean)) {
    const hl = trainHead(cfg, src);
    const calL = [...pts(hl.m, publicRows(100000).filter((r) => r.split === 'calib' && r.source !== src), true), ...pts(hl.m, pk.filter((r) => r.split === 'calib'))];
    const combsL = choose(calL, hl.t);
    const rowsS = publicRows(100000).filter((r) => r.source === src && r.split === 'test');
    const ps = pts(hl.m, rowsS);
    const o: Record<string, unknown> = { name, loso: src, n: ps.length, s1: score(ps, (p) => p.b1), s2: score(ps, (p) => p.p2 >= hl.t) };
    for (const [k, c] of Object.entries(combsL)) o[k] = score(ps, (p) => cascade(p, c));
    console.log(JSON.stringify(o));
    results.push(o);
  }
}
writeFileSync(`bench/.tmp/exp-${Date.now()}.json`, JSON.stringify(results, null, 1));
