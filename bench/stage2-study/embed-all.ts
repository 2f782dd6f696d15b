import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddingCache } from '../../src/classifier/embed-cache.js';
import { useLiteEncoder } from '../../src/classifier/encoder.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { loadPack } from '../../src/policy/load.js';
import { BENCH_DIR, CACHE_DIR, packRows, parseCsv, publicRows } from '../../scripts/stage2-data.js';

const worker = Number(process.argv[2] ?? 0);
const workers = Number(process.argv[3] ?? 1);
const countOnly = process.argv[4] === 'count';
const { pack } = loadPack(defaultPackPath);
const texts: string[] = [];
for (const r of packRows(pack)) texts.push(r.text);
for (const r of publicRows()) texts.push(r.text);
const benchSets: [string, (r: Record<string, string>) => string | null][] = [
  [join(BENCH_DIR, 'advbench', 'harmful_behaviors.csv'), (r) => r.goal ?? null],
  [join(BENCH_DIR, 'harmbench', 'harmbench_behaviors_text_all.csv'), (r) => (r.FunctionalCategory === 'standard' ? (r.Behavior ?? null) : null)],
];
for (const [f, p] of benchSets) if (existsSync(f)) for (const t of parseCsv(readFileSync(f, 'utf8')).map(p)) if (t) texts.push(t);
const n1 = new Set(texts).size;
for (const r of publicRows(100000)) texts.push(r.text);
const uniq = [...new Set(texts)];
const encoder = useLiteEncoder();
const cache = new EmbeddingCache(CACHE_DIR, encoder);
const missing = uniq.filter((t) => !cache.get(t));
console.error(`unique ${uniq.length} (first tier ${n1}), missing ${missing.length}`);
if (countOnly) process.exit(0);
const mine = missing.filter((_, i) => i % workers === worker);
const t0 = performance.now();
await cache.embedAll(mine, { onProgress: (d, n) => { if (d % 640 < 32 || d === n) console.error(`w${worker} ${d}/${n} ${Math.round((performance.now() - t0) / 1000)}s`); } });
