import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefaultModel } from '../../src/classifier/index.js';
import { asciiLetterShare } from '../../src/classifier/encoder.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { decide } from '../../src/guard/decide.js';
import { createGuard } from '../../src/guard/index.js';
import { loadPack } from '../../src/policy/load.js';
import { BENCH_DIR, packRows, parseCsv, publicRows } from '../../scripts/stage2-data.js';
const { pack } = loadPack(defaultPackPath);
const model = loadDefaultModel();
const g = createGuard({ pack, model });
const band = g.stage2 ? g.stage2.band : null;
console.error('guard band default', band);
const texts = new Set<string>();
for (const r of packRows(pack)) texts.add(r.text);
for (const r of publicRows(100000)) texts.add(r.text);
for (const [f, p] of [[join(BENCH_DIR, 'advbench', 'harmful_behaviors.csv'), (r: Record<string, string>) => r.goal], [join(BENCH_DIR, 'harmbench', 'harmbench_behaviors_text_all.csv'), (r: Record<string, string>) => (r.FunctionalCategory === 'standard' ? r.Behavior : null)]] as const)
  if (existsSync(f)) for (const t of parseCsv(readFileSync(f, 'utf8')).map(p)) if (t) texts.add(t);
const out: Record<string, [number, number, number]> = {};
let i = 0;
for (const t of texts) {
  const first = decide({ pack, model, text: t });
  const d = first.decision;
  const blocked = d.action === 'refuse' || d.action === 'deflect' ? 1 : 0;
  const eligible = !d.reasons[0]?.startsWith('decoded a') && !first.segment && asciiLetterShare(t) >= 0.9 ? 1 : 0;
  out[t] = [Math.round(first.prediction.topicScore * 1e5) / 1e5, blocked, eligible];
  if (++i % 5000 === 0) console.error(i);
}
writeFileSync('bench/.tmp/s1.json', JSON.stringify(out));
console.error('done', i);
