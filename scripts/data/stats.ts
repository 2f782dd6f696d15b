/**
 * Counts of the default pack's training data as Markdown tables (for docs/guard-data.md):
 *   npx tsx scripts/data/stats.ts [PACK_DIR]
 */
import { join } from 'node:path';
import { loadPack } from '../../src/policy/load.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'policies', 'default');
const { pack } = loadPack(dir);
const ex = pack.examples;
const pct = (n: number, d: number): string => (d ? `${Math.round((100 * n) / d)}%` : '-');

const policies = [...new Set(ex.map((e) => e.policy ?? '(benign)'))].sort();
console.log('| policy | L0 | L1 | L2 | L3 | total | test | adversarial | professional | non-English |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const p of policies) {
  const rows = ex.filter((e) => (e.policy ?? '(benign)') === p);
  const lv = [0, 1, 2, 3].map((l) => rows.filter((e) => e.level === l).length);
  const test = rows.filter((e) => e.split === 'test').length;
  const adv = rows.filter((e) => e.tags?.includes('adversarial')).length;
  const pro = rows.filter((e) => e.tags?.includes('professional')).length;
  const ml = rows.filter((e) => e.lang !== 'en').length;
  console.log(`| ${p} | ${lv.join(' | ')} | ${rows.length} | ${pct(test, rows.length)} | ${adv} | ${pro} | ${ml} |`);
}
const test = ex.filter((e) => e.split === 'test').length;
console.log(`| **all** | ${[0, 1, 2, 3].map((l) => ex.filter((e) => e.level === l).length).join(' | ')} | ${ex.length} | ${pct(test, ex.length)} | ${ex.filter((e) => e.tags?.includes('adversarial')).length} | ${ex.filter((e) => e.tags?.includes('professional')).length} | ${ex.filter((e) => e.lang !== 'en').length} |`);

console.log('\n| lang | examples | risky | benign | responses |');
console.log('|---|---|---|---|---|');
for (const lang of [...new Set([...ex.map((e) => e.lang), ...pack.responses.map((r) => r.lang)])].sort()) {
  const rows = ex.filter((e) => e.lang === lang);
  console.log(`| ${lang} | ${rows.length} | ${rows.filter((e) => e.policy !== null).length} | ${rows.filter((e) => e.policy === null).length} | ${pack.responses.filter((r) => r.lang === lang).length} |`);
}

console.log('\n| response label | total | test |');
console.log('|---|---|---|');
for (const label of ['refused', 'deflected', 'partial', 'complied'] as const) {
  const rows = pack.responses.filter((r) => r.label === label);
  console.log(`| ${label} | ${rows.length} | ${pct(rows.filter((r) => r.split === 'test').length, rows.length)} |`);
}
console.log(`| **all** | ${pack.responses.length} | ${pct(pack.responses.filter((r) => r.split === 'test').length, pack.responses.length)} |`);

const kinds = ['roleplay', 'hypothetical', 'fiction', 'injection-wrapper', 'leet', 'spaced', 'homoglyph', 'split-payload', 'layered'];
console.log(`\nAdversarial kinds: ${kinds.map((k) => `${k} ${ex.filter((e) => e.tags?.includes(k)).length}`).join(', ')}.`);
