// Train and save LOSO fold heads (stage 2 without source S).
import { EmbeddingCache } from '../../src/classifier/embed-cache.js';
import { useLiteEncoder } from '../../src/classifier/encoder.js';
import { averageMlps, calibrateMlp, mlpLogit, saveStage2, sigmoid, Stage2Head, trainMlp } from '../../src/classifier/stage2.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { loadPack } from '../../src/policy/load.js';
import { CACHE_DIR, packRows, publicRows } from '../../scripts/stage2-data.js';
const [cap, seedsArg, lookWArg, ...sources] = process.argv.slice(2);
const lookW = Number(lookWArg);
const LOOK = new Set(['hatecheck', 'coconot_contrast', 'coconot_original_eval', 'cyberseceval_frr']);
const seeds = seedsArg!.split(',').map(Number);
const { pack } = loadPack(defaultPackPath);
const enc = useLiteEncoder();
const cache = new EmbeddingCache(CACHE_DIR, enc);
const pk = packRows(pack);
const v = (t: string): Float32Array => cache.get(t)!;
for (const src of sources) {
  if (src === 'FULL') { /* full head */ }
  const rows = [...pk, ...publicRows(Number(cap))].filter((r) => r.source !== src); // src FULL: nothing left out
  const train = rows.filter((r) => r.split === 'train');
  const calib = rows.filter((r) => r.split === 'calib');
  const m = averageMlps(seeds.map((seed) => trainMlp(train.map((r) => v(r.text)), train.map((r) => (r.unsafe ? 1 : 0)), { hidden: 64, l2: 1e-4, epochs: 15, lr: 0.05, seed, weights: train.map((r) => (!r.unsafe && (LOOK.has(r.source) || r.source === 'pack') ? lookW : 1)) })));
  calibrateMlp(m, calib.map((r) => v(r.text)), calib.map((r) => (r.unsafe ? 1 : 0)));
  const cp = calib.map((r) => ({ p: sigmoid(mlpLogit(m, v(r.text)) / m.temperature), y: r.unsafe }));
  let t = 0.5, best = -1;
  for (let th = 0.2; th <= 0.8001; th += 0.02) { let tp = 0, fp = 0, fn = 0; for (const { p, y } of cp) { if (p >= th && y) tp++; else if (p >= th) fp++; else if (y) fn++; } const f1 = (2 * tp) / Math.max(1, 2 * tp + fp + fn); if (f1 > best) { best = f1; t = Math.round(th * 100) / 100; } }
  saveStage2(new Stage2Head(enc.id, enc.dim, t, m, null), `bench/.tmp/fold${lookW === 1 ? '' : `w${lookW}`}-${cap}-${src}.json`);
  console.log(src, cap, t);
}
