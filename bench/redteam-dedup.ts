/**
 * bench:redteam-dedup: near-duplicate detection at harvest time. Indexes the built-in model-breaking
 * and benign items plus synthetic variants, then checks candidate breaks with the MinHash/LSH index
 * against the baseline measured in the same run: exact shingle Jaccard against every indexed item.
 * Prints the speed ratio and whether both find the same duplicates (recall of the LSH candidates).
 */
import { performance } from 'node:perf_hooks';
import { applySpec } from '../src/attacks/index.js';
import { openSuite } from '../src/datasets/index.js';
import { jaccard, NearDupIndex, shingles } from '../src/redteam/dedup.js';

const THRESHOLD = 0.8;

async function main(): Promise<void> {
  const texts: { id: string; text: string }[] = [];
  for (const ref of ['model-breaking', 'benign']) {
    const s = await openSuite(ref, { tier: 'full', skipInvalid: true });
    for await (const it of s.items()) texts.push({ id: it.id, text: it.prompt ?? it.messages?.map((m) => m.content).join('\n') ?? '' });
  }
  // Grow the corpus with attacked variants (what a store full of harvests looks like).
  const base = texts.slice();
  for (const spec of ['roleplay', 'fiction', 'hypothetical', 'paraphrase', 'ignore-previous']) {
    for (const t of base) texts.push({ id: `${t.id}~${spec}`, text: applySpec(spec, t.text).turns.at(-1)! });
  }
  // Candidates: half near copies (a word changed, case and spacing), half new attacked forms.
  const candidates: string[] = [];
  for (let i = 0; i < 400; i++) {
    const t = texts[(i * 37) % texts.length]!.text;
    candidates.push(i % 2 === 0 ? t.replace(/\b(\w+)\b/, 'Please').toUpperCase().replace(/ /g, '  ') : applySpec('translate', t, i).turns.at(-1)!);
  }

  const t0 = performance.now();
  const index = new NearDupIndex(THRESHOLD);
  for (const t of texts) index.add(t.id, t.text);
  const tBuild = performance.now() - t0;
  const t1 = performance.now();
  const lsh = candidates.map((c) => index.find(c)?.id ?? null);
  const tLsh = performance.now() - t1;

  const t2 = performance.now();
  const sets = texts.map((t) => ({ id: t.id, sh: shingles(t.text) }));
  const brute = candidates.map((c) => {
    const sh = shingles(c);
    let best: { id: string; s: number } | null = null;
    for (const d of sets) {
      const s = jaccard(sh, d.sh);
      if (s >= THRESHOLD && (!best || s > best.s)) best = { id: d.id, s };
    }
    return best?.id ?? null;
  });
  const tBrute = performance.now() - t2;

  const dupsBrute = brute.filter((x) => x !== null).length;
  const found = brute.filter((x, i) => x !== null && lsh[i] !== null).length;
  const agree = brute.filter((x, i) => x === lsh[i]).length;
  console.log(`corpus ${texts.length} texts, ${candidates.length} candidates, threshold ${THRESHOLD}`);
  console.log(`baseline exact Jaccard scan: ${tBrute.toFixed(0)} ms (${dupsBrute} duplicates)`);
  console.log(`MinHash/LSH: index ${tBuild.toFixed(0)} ms, queries ${tLsh.toFixed(0)} ms`);
  console.log(`query speed-up vs baseline: ${(tBrute / tLsh).toFixed(1)}x; LSH recall of baseline duplicates ${found}/${dupsBrute}; same answer on ${agree}/${candidates.length} candidates`);
}

void main();
