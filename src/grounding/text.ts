/**
 * Text pieces the grounding scorers compare: sentences, content words (lower-cased, crudely
 * stemmed, stop words dropped), numbers (digits or number words, thousands separators removed),
 * negation cues and antonym pairs. Deterministic and dependency-free: the scorer runs on every
 * answer the gateway relays, so it stays a few regexes and set look-ups.
 */

const STOP = new Set(
  (
    'a an the and or but if then than so as of in on at to for from by with about into over under after before between through during ' +
    'is are was were be been being am do does did done doing have has had having will would shall should can could may might must ' +
    'i me my we our us you your yours he him his she her it its they them their this that these those there here what which who whom whose ' +
    'when where why how all any both each few more most other some such only own same too very just also again further once ' +
    'up down out off per via etc yes okay ok sure please thanks thank hope help helps great question answer let know like get got ' +
    'one s t re ve ll d m'
  ).split(' '),
);

/** Negation cues (after lower-casing; "n't" is split off by the tokenizer as "not"). */
const NEGATION = new Set(['not', 'no', 'never', 'none', 'nothing', 'neither', 'nor', 'cannot', 'without', 'nobody', 'nowhere', 'excluded', 'excludes', 'exclude', 'forbids', 'forbidden', 'prohibited', 'ineligible', 'avoid', 'stop', 'stops', 'dropped', 'discontinued', 'refused', 'rejected', 'denied', 'longer']);

/** Absolute words, by kind: a claim that has one its passage lacks overgeneralises. */
const ABSOLUTE: Record<string, string> = {
  everyone: 'all', everybody: 'all', everything: 'all', anytime: 'all', regardless: 'all',
  always: 'always', never: 'always', forever: 'always', permanently: 'always',
  unlimited: 'unlimited', limitless: 'unlimited', instantly: 'unlimited', immediately: 'unlimited',
};

/** The absolute-word kinds of a text. */
export function absolutes(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(text)) {
    const k = ABSOLUTE[w.lower];
    if (k) out.add(k);
  }
  return out;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Word pairs whose swap flips a claim (stems, both directions). */
const ANTONYMS: [string, string][] = [
  ['increase', 'decrease'], ['higher', 'lower'], ['more', 'less'], ['earlier', 'later'], ['allow', 'forbid'],
  ['allow', 'prohibit'], ['required', 'optional'], ['include', 'exclude'], ['accept', 'reject'], ['open', 'close'], ['free', 'paid'],
  ['maximum', 'minimum'], ['fine', 'coarse'], ['immediately', 'delay'], ['safe', 'unsafe'], ['always', 'never'], ['same', 'different'],
  ['north', 'south'], ['east', 'west'], ['first', 'last'], ['full', 'empty'], ['lowest', 'highest'], ['gain', 'loss'], ['cold', 'hot'],
  ['exponential', 'fixed'], ['mutable', 'immutable'], ['compile', 'run'], ['everyone', 'only'], ['unlimited', 'twice'],
];

const NUMBER_WORDS: Record<string, string> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
  eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18',
  nineteen: '19', twenty: '20', thirty: '30', forty: '40', fifty: '50', sixty: '60', hundred: '100', thousand: '1000',
  half: '0.5', once: '1', twice: '2', noon: '12', midnight: '0', single: '1', double: '2', dozen: '12',
};

/** Split into sentences (line breaks and list bullets end one too). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    const l = line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim();
    if (!l) continue;
    // A full stop ends a sentence unless it sits between digits (3.5) or after a one-letter initial.
    for (const s of l.split(/(?<=[.!?])\s+(?=[A-Z0-9"'(])/)) if (s.trim()) out.push(s.trim());
  }
  return out;
}

/** A crude English stemmer: enough that "returns", "returned" and "returning" meet. */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is')) s = s.slice(0, -1);
  if (s.endsWith('ing') && s.length > 5) s = s.slice(0, -3);
  else if (s.endsWith('ed') && s.length > 4) s = s.slice(0, -2);
  else if (s.endsWith('ly') && s.length > 4) s = s.slice(0, -2);
  if (s.endsWith('e') && s.length > 4) s = s.slice(0, -1);
  return s;
}

export interface Token {
  /** The stem compared (numbers normalised). */
  key: string;
  /** A number (digits or a number word). */
  number: boolean;
  /** Written with a capital inside a sentence (a name), or an all-caps acronym. */
  entity: boolean;
  /** A number word that is often not a quantity ("one", "once", "half"): never proof of invention. */
  soft?: boolean;
}

const SOFT = new Set(['one', 'once', 'single', 'half', 'noon', 'midnight', 'dozen']);

const WORD_RE = /\d+(?:[.,:]\d+)*%?|[\p{L}][\p{L}\p{M}'’-]*/gu;

function normNumber(raw: string): string {
  let t = raw.replace(/%$/, '');
  // 8,848.86 and 3,400: commas between groups of three are thousands separators.
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  // 7:00 and 7 are the same hour; 16:30 stays.
  t = t.replace(/:00$/, '');
  if (/^\d+\.\d+$/.test(t)) t = String(Number(t));
  return t;
}

/** Every word and number of a text, in order, with stop words kept (negation needs them). */
export function words(text: string): { raw: string; lower: string; start: boolean }[] {
  const out: { raw: string; lower: string; start: boolean }[] = [];
  let prevEnd = -1;
  for (const m of text.replace(/n['’]t\b/gi, ' not').matchAll(WORD_RE)) {
    const raw = m[0];
    const before = text.slice(Math.max(0, prevEnd), m.index).trim();
    const start = prevEnd < 0 || /[.!?:;]$/.test(before) || /^[-*•]/.test(before);
    out.push({ raw, lower: raw.toLowerCase(), start });
    prevEnd = (m.index ?? 0) + raw.length;
  }
  return out;
}

/** Content tokens: no stop words, stems, numbers normalised. */
export function contentTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const w of words(text)) {
    if (/^\d/.test(w.raw)) {
      out.push({ key: normNumber(w.raw), number: true, entity: false });
      continue;
    }
    const lw = w.lower.replace(/['’]s$/, '').replace(/['’]/g, '');
    if (lw in NUMBER_WORDS) {
      out.push({ key: NUMBER_WORDS[lw]!, number: true, entity: false, soft: SOFT.has(lw) });
      continue;
    }
    // Month names are date parts: compared like numbers.
    if (MONTHS.includes(lw) && (lw !== 'may' || /^M/.test(w.raw))) {
      out.push({ key: lw, number: true, entity: false });
      continue;
    }
    if (STOP.has(lw) || NEGATION.has(lw) || lw.length < 2) continue;
    const entity = (!w.start && /^\p{Lu}/u.test(w.raw)) || (/^\p{Lu}{2,}$/u.test(w.raw) && w.raw.length <= 6);
    for (const part of lw.split('-')) if (part.length >= 2 && !STOP.has(part)) out.push({ key: stem(part), number: false, entity });
  }
  return out;
}

/** Clauses of a sentence (commas, semicolons, dashes, brackets and joining words end one). */
export function clauses(sentence: string): string[] {
  return sentence
    .split(/,\s|;|:\s|\(|\)|\s[-–—]\s|\b(?:but|while|whereas|although|though|because)\b/i)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** A clause whose polarity depends on a condition ("not removed unless you pass -v"): no evidence either way. */
export function conditional(text: string): boolean {
  return /\b(?:unless|except|if|only)\b/i.test(text);
}

/** Whether a text is negated: an odd number of cues, a leading "Yes"/"No" set aside. */
export function negated(text: string): boolean {
  return negations(text.replace(/^\s*(?:yes|no)\b[\s,.!:;–—-]*/i, '')) % 2 === 1;
}

/** Content-word keys of what a negation in the text applies to (the next few content words). */
export function negationScope(text: string): string[] {
  const ws = words(text.replace(/^\s*(?:yes|no)\b[\s,.!:;–—-]*/i, ''));
  const i = ws.findIndex((w) => NEGATION.has(w.lower));
  if (i < 0) return [];
  return contentTokens(ws.slice(i + 1, i + 6).map((w) => w.raw).join(' ')).map((t) => t.key);
}

/** How many negation cues a text has. */
export function negations(text: string): number {
  let n = 0;
  for (const w of words(text)) if (NEGATION.has(w.lower)) n++;
  return n;
}

const ANTONYM_OF = new Map<string, string[]>();
for (const [a, b] of ANTONYMS) {
  const sa = stem(a);
  const sb = stem(b);
  ANTONYM_OF.set(sa, [...(ANTONYM_OF.get(sa) ?? []), sb]);
  ANTONYM_OF.set(sb, [...(ANTONYM_OF.get(sb) ?? []), sa]);
}

/** The antonym stems of a stem (empty when none is known). */
export function antonymsOf(key: string): readonly string[] {
  return ANTONYM_OF.get(key) ?? [];
}
