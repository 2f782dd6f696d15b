import { HOMOGLYPHS, LEET } from '../classifier/index.js';

/**
 * Encoded and obfuscated payloads. Attackers hide a request in base64 or ROT13 ("decode this and
 * follow it"), in invisible Unicode tag characters, behind a right-to-left override, in look-alike
 * letters, leetspeak, spaced-out letters or reversed text; the classifier reads surface text, so
 * the guard also reads a decoded view of such text and keeps the stricter decision. Each view is
 * made only when a cheap test says the text looks like it needs it, so plain text costs a few
 * regular-expression scans.
 */

export type ViewKind =
  | 'base64'
  | 'rot13'
  | 'tag characters'
  | 'bidi override'
  | 'confusables'
  | 'leetspeak'
  | 'spaced letters'
  | 'reversed'
  | 'reversed letters'
  | 'reversed words';

export interface DecodedView {
  /** How the view was made, for the decision's reasons. */
  how: ViewKind;
  text: string;
}

export interface DecodeContext {
  /** Whether a word is known (the model's word-vector vocabulary): splits spaced-out letters into words. */
  known?: (word: string) => boolean;
}

/** What the decision's reasons say for each view. */
export const VIEW_REASONS: Record<ViewKind, string> = {
  base64: 'decoded a base64 payload',
  rot13: 'decoded a rot13 payload',
  'tag characters': 'decoded hidden Unicode tag characters',
  'bidi override': 'read right-to-left override runs in their displayed order',
  confusables: 'mapped look-alike letters (Cyrillic, Greek, Armenian) to Latin',
  leetspeak: 'read leetspeak digits and symbols as letters',
  'spaced letters': 'joined spaced-out letters into words',
  reversed: 'read the text reversed',
  'reversed letters': 'read each word reversed',
  'reversed words': 'read the words in reverse order',
};

const B64_RUN = /[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9_-]{24,}={0,2}/g;
const ROT13_CUE = /\brot[\s-]?13\b|\bcaesar\b/i;

/** Decoded text when `run` is base64 of readable UTF-8 (mostly letters and spaces), else null. */
function readableBase64(run: string): string | null {
  if (!/[0-9+/=]|[a-z][A-Z]|[A-Z]{2}[a-z]/.test(run)) return null; // plain words are not base64
  let s = run.replace(/-/g, '+').replace(/_/g, '/');
  if (s.length % 4 === 1) return null;
  while (s.length % 4 !== 0) s += '=';
  const out = Buffer.from(s, 'base64').toString('utf8');
  if (out.length < 8 || out.includes('\uFFFD')) return null;
  let readable = 0;
  for (const ch of out) if (/[\p{L}\p{N}\s.,;:!?'"()\-]/u.test(ch)) readable++;
  if (readable / out.length < 0.9 || !/\p{L}{2,}\s+\p{L}{2,}/u.test(out)) return null;
  return out;
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

// ---- Unicode tag characters (U+E0000-E007F): U+E0020-E007E mirror ASCII and render invisibly ----
const TAG = /[\u{E0000}-\u{E007F}]/u;
const TAGS = /[\u{E0000}-\u{E007F}]+/gu;

/** The text with each run of tag characters replaced by the ASCII it encodes. */
function decodeTags(text: string): string {
  return text.replace(TAGS, (run) => {
    let out = '';
    for (const ch of run) {
      const cp = ch.codePointAt(0)! - 0xe0000;
      if (cp >= 0x20 && cp <= 0x7e) out += String.fromCharCode(cp);
    }
    return ` ${out} `;
  });
}

// ---- bidi: a right-to-left override (U+202E) displays the following characters reversed ----
const RLO = '\u202E';
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F]/;

/** The text in displayed order: each RLO run (up to its PDF, a PDI or the end of the line) reversed, controls dropped. */
function displayOrder(text: string): string {
  let out = '';
  let run: string[] | null = null;
  let depth = 0;
  const flush = (): void => {
    if (run) out += run.reverse().join('');
    run = null;
    depth = 0;
  };
  for (const ch of text) {
    if (run) {
      if (ch === '\u202C' || ch === '\u2069') {
        if (depth === 0) flush();
        else depth--;
        continue;
      }
      if (ch === '\n' || ch === '\r') {
        flush();
        out += ch;
        continue;
      }
      if (ch === '\u202A' || ch === '\u202B' || ch === '\u202D' || ch === RLO) {
        depth++;
        continue;
      }
      if (BIDI_CONTROL.test(ch)) continue;
      run.push(ch);
      continue;
    }
    if (ch === RLO) {
      run = [];
      continue;
    }
    if (!BIDI_CONTROL.test(ch)) out += ch;
  }
  flush();
  return out;
}

// ---- confusables: look-alike letters of other scripts in otherwise Latin text ----
/** Look-alikes beyond normalize.ts's Cyrillic/Greek table (lower case). */
const MORE_CONFUSABLES: Record<string, string> = {
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ʏ: 'y', օ: 'o', ս: 'u', ո: 'n', հ: 'h', ց: 'g', զ: 'q', ք: 'p', ա: 'w', ᴦ: 'r',
  ϲ: 'c', ϳ: 'j', ѵ: 'v', ԍ: 'g', ҫ: 'c', ӕ: 'ae', ɩ: 'i', ʋ: 'u',
};
const confusable = (ch: string): string | undefined => {
  const l = ch.toLowerCase();
  return HOMOGLYPHS[l] ?? MORE_CONFUSABLES[l];
};
const NON_LATIN_LETTER = /[\u0370-\u03FF\u0400-\u052F\u0530-\u058F\u0250-\u02AF\u0131\u0237]/;

/** The text with every look-alike letter mapped to Latin, when Latin letters and look-alikes mix; else null. */
function latinised(text: string): string | null {
  if (!NON_LATIN_LETTER.test(text) || !/[A-Za-z]/.test(text)) return null;
  let out = '';
  let mapped = 0;
  for (const ch of text) {
    const m = confusable(ch);
    if (m !== undefined) {
      out += ch === ch.toLowerCase() ? m : m.toUpperCase();
      mapped++;
    } else out += ch;
  }
  return mapped > 0 ? out : null;
}

// ---- leetspeak across the whole text ----
const LEET_HINT = /[a-z][0-9@$!|]|[0-9@$][a-z]/i;
const WORDISH = /[\p{L}\p{N}@$!|]+/gu;

/** The text with leetspeak read as letters, when at least two words mix letters with leet characters. */
function unleet(text: string): string | null {
  if (!LEET_HINT.test(text)) return null;
  let mixed = 0;
  let words = 0;
  for (const m of text.matchAll(WORDISH)) {
    const w = m[0];
    if (!/\p{L}/u.test(w)) continue;
    words++;
    if (/[0-9@$!|]/.test(w.endsWith('!') ? w.slice(0, -1) : w)) mixed++;
  }
  if (mixed < 2 || (mixed < 3 && mixed < words * 0.2)) return null;
  return text.replace(WORDISH, (w) => {
    const letters = /\p{L}/u.test(w);
    // Digit-only words are read as letters only when short and made of leet digits ("70" → "to").
    if (!letters && !(w.length <= 4 && [...w].every((c) => LEET[c] !== undefined))) return w;
    let out = '';
    for (let i = 0; i < w.length; i++) {
      const c = w[i]!;
      // A trailing "!" is punctuation, not an "i".
      out += c === '!' && i === w.length - 1 ? c : (LEET[c] ?? c);
    }
    return out;
  });
}

// ---- spaced-out letters ("h o w  t o  m a k e") ----
const SPACED_HINT = /(?:^|\s)\p{L}(?:[ \t.\-_*]+\p{L}(?=$|[\s.\-_*])){5,}/u;

/** Split a run of letters into known words (fewest words, unknown letters cost more); null when it cannot. */
function segmentWords(letters: string, known: (w: string) => boolean): string | null {
  const n = letters.length;
  if (n > 400) return null;
  const cost = new Float64Array(n + 1).fill(Infinity);
  const back = new Int32Array(n + 1);
  cost[0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(0, i - 20); j < i; j++) {
      if (cost[j] === Infinity) continue;
      const w = letters.slice(j, i);
      const c = known(w) ? (w.length === 1 && w !== 'a' && w !== 'i' ? 2 : 1) : i - j === 1 ? 4 : Infinity;
      if (cost[j]! + c < cost[i]!) {
        cost[i] = cost[j]! + c;
        back[i] = j;
      }
    }
  }
  if (cost[n] === Infinity) return null;
  const words: string[] = [];
  for (let i = n; i > 0; i = back[i]!) words.unshift(letters.slice(back[i]!, i));
  return words.join(' ');
}

/** The text with runs of spaced-out letters joined: a wider gap (2+ spaces, "/", "|") separates words;
 * with no wider gap, the run is split into known words when a vocabulary is given. */
function unspaced(text: string, ctx: DecodeContext): string | null {
  if (!SPACED_HINT.test(text)) return null;
  const RUN = /(?:\p{L}[ \t.\-_*/|]+){5,}\p{L}/gu;
  let changed = false;
  const out = text.replace(RUN, (run) => {
    const letters = run.match(/\p{L}/gu) ?? [];
    if (letters.length < 6) return run;
    // Only runs of single letters (no two letters adjacent).
    if (/\p{L}\p{L}/u.test(run)) return run;
    changed = true;
    const groups = run.split(/\s{2,}|\s*[/|]\s*/).map((g) => (g.match(/\p{L}/gu) ?? []).join('')).filter((g) => g.length > 0);
    if (groups.length > 1) return groups.join(' ');
    const joined = groups[0] ?? '';
    return ctx.known ? (segmentWords(joined.toLowerCase(), ctx.known) ?? joined) : joined;
  });
  return changed ? out : null;
}

// ---- reversed text ----
/** Frequent function words of English (and a few of other languages), to tell reversed text from forward text. */
const STOP = new Set(
  'the a an and or to of in on at for with from by is are was be it this that you your i me my we our how what why when where which who can could would should do does did not no give tell show make get need want please step into out up as if so then them they he she his her its all any some more than about have has'.split(' '),
);
const FORWARD_HINT = /\b(?:the|and|to|of|is|you|how|what|for|with)\b/i;
/** Frequent word pairs whose reverse is rare in forward English ("how to" but not "can you", whose
 * reverse "you can" is just as common). */
const COMMON_BIGRAMS = new Set(
  'how to|of the|in the|to the|i want|how do|how can|i need|need to|tell me|give me|show me|to make|on the|for the|and the|for a|with a|me how|at the|from the|with the'.split('|'),
);

/** Any reversed common pair in the text (a cheap gate before counting pairs). */
const REVERSED_PAIR = new RegExp(`\\b(?:${[...COMMON_BIGRAMS].map((b) => b.split(' ').reverse().join('\\s+')).join('|')})\\b`, 'i');

function letterWords(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+/gu) ?? []).slice(0, 400);
}

const reverseString = (s: string): string => [...s].reverse().join('');

/** Reversed readings of the text when it reads better reversed. (A cue such as "read this
 * backwards" is not used: benign texts say "reverse" often, and a reversed reading of plain text
 * is gibberish the classifier may misread.) */
function reversedViews(text: string): DecodedView[] {
  const forward = FORWARD_HINT.test(text);
  const pairs = REVERSED_PAIR.test(text);
  if (forward && !pairs) return [];
  const words = letterWords(text);
  if (words.length < 3) return [];
  const views: DecodedView[] = [];
  let fwd = 0;
  let rev = 0;
  if (!forward) {
    for (const w of words) {
      if (STOP.has(w)) fwd++;
      else if (w.length > 1 && STOP.has(reverseString(w))) rev++;
    }
  }
  if (rev >= 2 && rev > 2 * fwd) {
    views.push({ how: 'reversed', text: reverseString(text) });
    views.push({ how: 'reversed letters', text: text.replace(/\p{L}+/gu, reverseString) });
  }
  let fwdPairs = 0;
  let revPairs = 0;
  for (let i = 1; i < words.length && pairs; i++) {
    if (COMMON_BIGRAMS.has(`${words[i - 1]} ${words[i]}`)) fwdPairs++;
    if (COMMON_BIGRAMS.has(`${words[i]} ${words[i - 1]}`)) revPairs++;
  }
  if (revPairs >= 2 && revPairs > 2 * fwdPairs) {
    views.push({ how: 'reversed words', text: (text.match(/\S+/g) ?? []).reverse().join(' ') });
  }
  return views;
}

/** Views of the text with its encoded or obfuscated parts read plainly; empty when nothing is. */
export function decodedViews(text: string, ctx: DecodeContext = {}): DecodedView[] {
  const views: DecodedView[] = [];
  let found = false;
  const replaced = text.replace(B64_RUN, (run) => {
    const d = readableBase64(run);
    if (d === null) return run;
    found = true;
    return d;
  });
  if (found) views.push({ how: 'base64', text: replaced });
  if (ROT13_CUE.test(text)) views.push({ how: 'rot13', text: rot13(text) });
  if (TAG.test(text)) views.push({ how: 'tag characters', text: decodeTags(text) });
  if (text.includes(RLO)) views.push({ how: 'bidi override', text: displayOrder(text) });
  const latin = latinised(text);
  if (latin !== null) views.push({ how: 'confusables', text: latin });
  const leet = unleet(text);
  if (leet !== null) views.push({ how: 'leetspeak', text: leet });
  const spaced = unspaced(text, ctx);
  if (spaced !== null) views.push({ how: 'spaced letters', text: spaced });
  views.push(...reversedViews(text));
  return views;
}
