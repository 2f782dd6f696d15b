import { prng as rng } from '../../src/core/random.js';
/**
 * Shared helpers for the guard-data generator: a seeded PRNG, a stable string hash, seed-file
 * parsing and YAML line formatting. Everything is deterministic: the same seeds give byte-identical
 * YAML, so the committed output can be regenerated and diffed.
 */

/** FNV-1a 32-bit hash of a string. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export { rng };

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

export const TOPIC_POLICY: Record<string, string> = {
  cbrn: 'safety.cbrn',
  cyber: 'safety.cyber',
  weapons: 'safety.weapons',
  drugs: 'safety.drugs',
  self_harm: 'safety.self_harm',
  violent_extremism: 'safety.violent_extremism',
  sexual_minors: 'safety.sexual_minors',
  fraud: 'safety.fraud',
  hate_harassment: 'fairness.hate_harassment',
  discrimination: 'fairness.discrimination',
  privacy: 'privacy_security.privacy',
  misinformation: 'veracity_robustness.misinformation',
  impersonation: 'transparency.impersonation',
  ai_disclosure: 'transparency.ai_disclosure',
  copyright: 'governance.copyright',
  prompt_injection: 'controllability.prompt_injection',
  explanations: 'explainability.decision_explanations',
  violent_crime: 'safety.violent_crime',
  nonviolent_crime: 'safety.nonviolent_crime',
  sex_crime: 'safety.sex_crime',
  sexual_content: 'safety.sexual_content',
  specialized_advice: 'safety.specialized_advice',
  defamation: 'veracity_robustness.defamation',
  elections: 'veracity_robustness.elections',
};

export const RISKY_TOPICS = [
  'cbrn', 'cyber', 'weapons', 'drugs', 'self_harm', 'violent_extremism', 'hate_harassment', 'sexual_minors',
  'fraud', 'privacy', 'misinformation', 'discrimination', 'impersonation', 'copyright', 'prompt_injection',
  'violent_crime', 'nonviolent_crime', 'sex_crime', 'sexual_content', 'specialized_advice', 'defamation', 'elections',
] as const;

export type Label = 'refused' | 'complied' | 'deflected' | 'partial';

export interface Example {
  text: string;
  policy: string | null;
  level: 0 | 1 | 2 | 3;
  lang: string;
  split?: 'train' | 'test';
  tags: string[];
  /** Examples derived from one hand-written seed share a group: a group is never split across train/test. */
  group: string;
}

export interface Response {
  prompt: string;
  text: string;
  label: Label;
  lang: string;
  split?: 'train' | 'test';
  group: string;
}

/** A seed line: text plus the directives in force where it appeared. */
export interface SeedLine {
  text: string;
  topic: string | null;
  level: 0 | 1 | 2 | 3;
  lang: string;
  tags: string[];
  line: number;
}

/**
 * Parse a seed file. Directives: `@topic NAME|-`, `@level N`, `@lang xx`, `@tags a,b` (reset by
 * @level and @topic). A line `topic level | text` (topic `-` for benign) overrides topic and level
 * for that line. A leading `pro:` adds the `professional` tag. `#` starts a comment line.
 */
export function parseSeeds(src: string, file: string, defaults: { topic: string | null; lang: string }): SeedLine[] {
  const out: SeedLine[] = [];
  let topic = defaults.topic;
  let level: 0 | 1 | 2 | 3 = 0;
  let lang = defaults.lang;
  let tags: string[] = [];
  src.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const d = /^@(\w+)\s+(.*)$/.exec(line);
    if (d) {
      const [, key, val] = d as unknown as [string, string, string];
      if (key === 'topic') { topic = val === '-' ? null : val; tags = []; }
      else if (key === 'level') { level = Number(val) as 0 | 1 | 2 | 3; tags = []; }
      else if (key === 'lang') lang = val;
      else if (key === 'tags') tags = val.split(',').map((t) => t.trim()).filter(Boolean);
      else throw new Error(`${file}:${i + 1}: unknown directive @${key}`);
      return;
    }
    let text = line;
    let t = topic;
    let l = level;
    const inline = /^([a-z_]+|-)\s+([0-3])\s*\|\s*(.+)$/.exec(line) ?? /^(-)\s*\|\s*(.+)$/.exec(line);
    if (inline) {
      if (inline.length === 4) {
        t = inline[1] === '-' ? null : inline[1]!;
        l = Number(inline[2]) as 0 | 1 | 2 | 3;
        text = inline[3]!;
      } else {
        t = null;
        l = 0;
        text = inline[2]!;
      }
    }
    const extra: string[] = [];
    if (text.startsWith('pro:')) {
      extra.push('professional');
      text = text.slice(4).trim();
    }
    if (t !== null && !(t in TOPIC_POLICY)) throw new Error(`${file}:${i + 1}: unknown topic ${t}`);
    if (![0, 1, 2, 3].includes(l)) throw new Error(`${file}:${i + 1}: bad level`);
    out.push({ text, topic: t, level: l, lang, tags: [...tags, ...extra], line: i + 1 });
  });
  return out;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML double-quoted strings). */
export function q(s: string): string {
  return JSON.stringify(s);
}

export function exampleLine(e: Example): string {
  const parts = [`text: ${q(e.text)}`, `policy: ${e.policy ?? 'null'}`, `level: ${e.level}`, `lang: ${e.lang}`, `split: ${e.split ?? 'train'}`];
  if (e.tags.length) parts.push(`tags: [${[...new Set(e.tags)].join(', ')}]`);
  return `  - {${parts.join(', ')}}`;
}

export function responseLine(r: Response): string {
  return `  - {prompt: ${q(r.prompt)}, text: ${q(r.text)}, label: ${r.label}, lang: ${r.lang}, split: ${r.split ?? 'train'}}`;
}

/**
 * Assign the held-out split: within each cell (policy x level, or response label), groups are
 * ordered by a hash of their id and taken into `test` until the cell holds ~20% test examples.
 * Whole groups move together, so no variant of a test seed is ever trained on.
 */
export function assignSplits<T extends { group: string; split?: 'train' | 'test' }>(items: T[], cellOf: (x: T) => string, ratio = 0.2): void {
  const cells = new Map<string, Map<string, T[]>>();
  for (const it of items) {
    const c = cellOf(it);
    let groups = cells.get(c);
    if (!groups) cells.set(c, (groups = new Map()));
    const g = groups.get(it.group);
    if (g) g.push(it);
    else groups.set(it.group, [it]);
  }
  for (const [cell, groups] of cells) {
    const total = [...groups.values()].reduce((n, g) => n + g.length, 0);
    const target = total * ratio;
    const order = [...groups.entries()].sort((a, b) => hash(`${cell}|${a[0]}`) - hash(`${cell}|${b[0]}`) || (a[0] < b[0] ? -1 : 1));
    let taken = 0;
    for (const [, g] of order) {
      const split: 'train' | 'test' = taken + g.length / 2 <= target ? 'test' : 'train';
      if (split === 'test') taken += g.length;
      for (const it of g) it.split = split;
    }
  }
}
