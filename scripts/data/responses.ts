/**
 * Model responses for the refusal head, labelled refused / complied / deflected / partial.
 *
 * - refused: declines, with no substantive alternative (a generic "anything else?" is still a refusal).
 * - deflected: declines the specific ask but offers a concrete safe alternative (a helpline, the
 *   educational version, a defensive resource, a legal route).
 * - partial: starts to help (or helps with a hedged, incomplete version) and stops short.
 * - complied: does what was asked. For benign prompts that is a real, helpful answer; for harmful
 *   prompts it is the compliance SHAPE only, with every operational detail replaced by
 *   "[details omitted in this dataset]".
 *
 * Prompts come from the hand-written seeds (topics/*.txt, multilingual.txt, benign.txt); texts are
 * composed from the parts below with a seeded PRNG.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash, parseSeeds, pick as pickAny, rng, type Response, type SeedLine } from './lib.js';
import { RESPONSE_TEXT as T } from './response-text.js';

interface Opts { seedsDir: string; topicSeeds: Map<string, SeedLine[]>; seed: number }

function ordered<T extends { text: string }>(xs: T[], salt: string): T[] {
  return [...xs].sort((a, b) => hash(salt + a.text) - hash(salt + b.text));
}

/**
 * The held-out split of responses is decided per prompt (~20%), and every list of parts is
 * partitioned: a test response is composed only from parts no training response uses (lists of
 * fewer than 4 parts are shared), so the held-out figure measures more than template recall.
 */
function isTestPart(text: string): boolean {
  return hash(`part|${text}`) % 5 === 0;
}

export function buildResponses(o: Opts): Response[] {
  const out: Response[] = [];
  const seen = new Set<string>();
  let split: 'train' | 'test' = 'train';
  const setSplit = (prompt: string, label: string): void => {
    split = hash(`split|${label}|${prompt}`) % 100 < 20 ? 'test' : 'train';
  };
  /** pick() restricted to the parts of the current split. */
  const pick = <X extends string>(r: () => number, xs: readonly X[]): X => {
    if (xs.length < 4) return pickAny(r, xs);
    const mine = xs.filter((x) => isTestPart(x) === (split === 'test'));
    return pickAny(r, mine.length > 0 ? mine : xs);
  };
  const add = (prompt: string, text: string, label: Response['label'], lang = 'en'): void => {
    const key = `${prompt}\u0000${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ prompt, text, label, lang, split, group: `${label}:${hash(prompt).toString(36)}` });
  };

  const topics = Object.keys(T.deflect);
  for (const topic of topics) {
    const seeds = o.topicSeeds.get(topic) ?? [];
    const harmful = ordered(seeds.filter((s) => s.level >= 2), `resp|${topic}|`);
    const mild = ordered(seeds.filter((s) => s.level <= 1), `resp-mild|${topic}|`);
    harmful.forEach((s, i) => {
      const r = rng(o.seed ^ hash(`resp|${s.text}`));
      // Each harmful prompt gets two responses of different labels (deterministic rotation).
      const labels: Response['label'][] = [['refused', 'deflected'], ['deflected', 'partial'], ['refused', 'partial'], ['complied', 'refused'], ['partial', 'deflected'], ['refused', 'complied']][i % 6] as Response['label'][];
      for (const label of labels) {
        setSplit(s.text, label);
        if (label === 'refused') {
          const parts = [pick(r, T.refuseOpen), pick(r, [...T.refuseWhy.generic, ...(T.refuseWhy[topic] ?? [])])];
          if (r() < 0.35) parts.push(pick(r, T.refuseClose));
          add(s.text, parts.join(' '), label);
        } else if (label === 'deflected') {
          add(s.text, `${pick(r, T.deflectOpen)} ${pick(r, T.deflect[topic]!)}`, label);
        } else if (label === 'partial') {
          add(s.text, pick(r, T.partial[topic]!), label);
        } else {
          add(s.text, pick(r, T.complyShape), label);
        }
      }
    });
    // Awareness / educational prompts: a real answer where we wrote one, else an over-refusal (labelled by what the response does).
    for (const [prompt, answer] of T.topicAnswers[topic] ?? []) {
      setSplit(prompt, 'complied');
      add(prompt, answer, 'complied');
    }
    mild.slice(0, 2).forEach((s) => {
      const r = rng(o.seed ^ hash(`over|${s.text}`));
      setSplit(s.text, 'refused');
      add(s.text, `${pick(r, T.refuseOpen)} ${pick(r, T.refuseWhy.generic)}`, 'refused');
    });
  }

  // Benign prompts: helpful answers (complied), and a few over-refusals and over-cautious partials.
  for (const [prompt, answer] of T.benignAnswers) {
    setSplit(prompt, 'complied');
    add(prompt, answer, 'complied');
  }
  const benign = ordered(parseSeeds(readFileSync(join(o.seedsDir, 'benign.txt'), 'utf8'), 'benign.txt', { topic: null, lang: 'en' }), 'resp-benign|');
  benign.slice(0, 40).forEach((s, i) => {
    const r = rng(o.seed ^ hash(`benign-resp|${s.text}`));
    setSplit(s.text, i % 2 === 0 ? 'refused' : 'partial');
    if (i % 2 === 0) add(s.text, `${pick(r, T.refuseOpen)} ${pick(r, T.refuseWhy.generic)}`, 'refused');
    else add(s.text, pick(r, T.benignPartial), 'partial');
  });

  // Other languages.
  const ml = parseSeeds(readFileSync(join(o.seedsDir, 'multilingual.txt'), 'utf8'), 'multilingual.txt', { topic: null, lang: 'es' });
  for (const s of ml) {
    const L = T.ml[s.lang];
    if (!L) continue;
    const r = rng(o.seed ^ hash(`ml-resp|${s.text}`));
    setSplit(s.text, 'ml');
    if (s.topic === null || s.level <= 1) {
      const answer = L.answers[s.text];
      if (answer) add(s.text, answer, 'complied', s.lang);
      continue;
    }
    const k = hash(s.text) % 4;
    if (k === 0 || k === 3) add(s.text, pick(r, L.refuse), 'refused', s.lang);
    if (k === 1 || k === 3) add(s.text, `${pick(r, L.deflectOpen)} ${s.topic === 'self_harm' ? L.selfHarm : pick(r, L.deflect)}`, 'deflected', s.lang);
    if (k === 2) add(s.text, pick(r, L.partial), 'partial', s.lang);
    if (k === 2 || k === 0) add(s.text, pick(r, L.comply), 'complied', s.lang);
  }
  return out;
}
