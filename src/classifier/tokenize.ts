import { createRequire } from 'node:module';
import { deobfuscateToken, joinSpacedLetters, normalizeText } from './normalize.js';

/**
 * Two tokenizers that yield the same word tokens:
 *  - `tokenize()`: a single-pass regex tokenizer used at inference (the hot path: a few µs on 1 KB);
 *  - `winkTokenize()`: wink-nlp (with its bundled English lite model) used at training time. Its
 *    tokens are post-processed with the same rules, and training reports how often both agree
 *    (`tokenizerAgreement` in the training report), so train/serve skew stays measured.
 * bench/guard-classify.ts measures both (wink: ~0.11 ms p50, ~1 ms p99 per 1 KB on the dev box,
 * which alone would spend the whole 1 ms budget; the regex tokenizer: a few µs).
 *
 * Rules: lower-cased, compatibility-folded text (normalizeText); tokens are runs of letters and
 * digits, with @ $ inside words kept for leetspeak ("@nthr@x"), then deobfuscated; "n't" becomes
 * "not" ("don't" → do not, as wink splits it); runs of 3+ single letters are joined.
 */

const WORD = /(?:[\p{L}\p{N}]|[@$](?=[\p{L}\p{N}])|(?<=[\p{L}\p{N}])[@$!|](?=[\p{L}\p{N}]))+/gu;
const APOS = /['’]/;

function finish(raw: string[]): string[] {
  const out: string[] = [];
  for (const r of raw) {
    const t = deobfuscateToken(r);
    if (t.length > 0) out.push(t);
  }
  return joinSpacedLetters(out);
}

/** Letters and digits: ASCII from a table, other BMP characters from the Unicode regex once each
 * (cached), astral ones from the regex. */
const LN_RE = /^[\p{L}\p{N}]$/u;
const bmp = new Uint8Array(65536); // 0: not yet known, 1: letter or digit, 2: neither
for (let c = 0; c < 128; c++) bmp[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 2;

function isLN(cp: number): boolean {
  if (cp < 0) return false;
  if (cp < 65536) {
    let k = bmp[cp]!;
    if (k === 0) bmp[cp] = k = LN_RE.test(String.fromCharCode(cp)) ? 1 : 2;
    return k === 1;
  }
  return LN_RE.test(String.fromCodePoint(cp));
}

/** The code point at i (a lone surrogate stands for itself, as in a /u regex). */
function cpAt(s: string, i: number): number {
  return i < s.length ? s.codePointAt(i)! : -1;
}

/** The code point that ends at i (-1 at the start). */
function cpBefore(s: string, i: number): number {
  if (i <= 0) return -1;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return (hi - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
  }
  return lo;
}

/**
 * How many code units the WORD regex's repeated unit takes at i (0 when none): a letter or digit;
 * @ or $ before one; @ $ ! | between two. A hand-written scan of WORD (the tokenizer's hot loop:
 * no match objects are allocated); test/guard/tokenize-scan.test.ts holds it to the regex.
 */
function unitAt(s: string, i: number): number {
  const cp = cpAt(s, i);
  const w = cp > 0xffff ? 2 : 1;
  if (isLN(cp)) return w;
  if (cp === 64 || cp === 36) return isLN(cpAt(s, i + 1)) ? 1 : 0; // @ $
  if (cp === 33 || cp === 124) return isLN(cpBefore(s, i)) && isLN(cpAt(s, i + 1)) ? 1 : 0; // ! |
  return 0;
}

/** The [start, end) runs the WORD regex matches in `norm`, in order (`each(start, end)`). */
export function wordRuns(norm: string, each: (start: number, end: number) => void): void {
  const n = norm.length;
  let i = 0;
  while (i < n) {
    let u = unitAt(norm, i);
    if (u === 0) {
      const c = norm.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && norm.charCodeAt(i + 1) >= 0xdc00 && norm.charCodeAt(i + 1) <= 0xdfff ? 2 : 1;
      continue;
    }
    const start = i;
    do {
      i += u;
      u = i < n ? unitAt(norm, i) : 0;
    } while (u > 0);
    each(start, i);
  }
}

/** The raw word pieces of normalised text with their offsets ("don't" → "do" + "not" handled here). */
function scan(norm: string, raw: string[], starts: number[] | null, ends: number[] | null): void {
  let prevEnd = -1;
  wordRuns(norm, (index, end) => {
    // "don't" → "do" + "not": the scan gave "don" then "t" right after an apostrophe.
    if (end - index === 1 && norm.charCodeAt(index) === 116 && prevEnd === index - 1 && APOS.test(norm[prevEnd] ?? '') && raw.length > 0) {
      const prev = raw[raw.length - 1]!;
      if (prev.length > 1 && prev.endsWith('n')) {
        raw[raw.length - 1] = prev.slice(0, -1);
        raw.push('not');
        if (starts && ends) {
          ends[ends.length - 1] = prevEnd - 1;
          starts.push(prevEnd - 1);
          ends.push(index + 1);
        }
        prevEnd = end;
        return;
      }
    }
    raw.push(norm.slice(index, end));
    if (starts && ends) {
      starts.push(index);
      ends.push(end);
    }
    prevEnd = end;
  });
}

/** The WORD regex's runs, for tests that hold `wordRuns` to it. */
export function wordRunsByRegex(norm: string): [number, number][] {
  const out: [number, number][] = [];
  WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD.exec(norm)) !== null) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** Fast tokenizer on already-normalised text. */
export function tokenizeNormalized(norm: string): string[] {
  const raw: string[] = [];
  scan(norm, raw, null, null);
  return finish(raw);
}

/** Tokens with their [start, end) offsets in the normalised text: the same tokens as `tokenizeNormalized`. */
export interface TokenSpans {
  tokens: string[];
  starts: Int32Array;
  ends: Int32Array;
}

/** `tokenizeNormalized` that also says where each token lies (segment scoring cuts the text at token boundaries). */
export function tokenizeNormalizedSpans(norm: string): TokenSpans {
  const raw: string[] = [];
  const rs: number[] = [];
  const re: number[] = [];
  scan(norm, raw, rs, re);
  const toks: string[] = [];
  const ts: number[] = [];
  const te: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = deobfuscateToken(raw[i]!);
    if (t.length === 0) continue;
    toks.push(t);
    ts.push(rs[i]!);
    te.push(re[i]!);
  }
  // joinSpacedLetters, keeping the spans: a joined run spans its first to its last letter.
  const tokens: string[] = [];
  const starts = new Int32Array(toks.length);
  const ends = new Int32Array(toks.length);
  let m = 0;
  let i = 0;
  while (i < toks.length) {
    if (toks[i]!.length === 1) {
      let j = i;
      while (j < toks.length && toks[j]!.length === 1) j++;
      if (j - i >= 3) {
        tokens.push(toks.slice(i, j).join(''));
        starts[m] = ts[i]!;
        ends[m++] = te[j - 1]!;
        i = j;
        continue;
      }
    }
    tokens.push(toks[i]!);
    starts[m] = ts[i]!;
    ends[m++] = te[i]!;
    i++;
  }
  return { tokens, starts: starts.subarray(0, m), ends: ends.subarray(0, m) };
}

/** Normalise then tokenize (inference path). */
export function tokenize(text: string): string[] {
  return tokenizeNormalized(normalizeText(text));
}

// ---------------------------------------------------------------------------------------------
// wink-nlp (training time)
// ---------------------------------------------------------------------------------------------

interface WinkDoc {
  tokens(): { out(f?: unknown): string[] };
}
export interface Wink {
  readDoc(text: string): WinkDoc;
  its: { normal: unknown; pos: unknown; value: unknown; precedingSpaces: unknown };
}

let winkCache: Wink | null = null;

/** wink-nlp with the English lite model, loaded on first use (about 90 ms) and kept. */
export function loadWink(): Wink {
  if (winkCache) return winkCache;
  const require = createRequire(import.meta.url);
  const winkNLP = require('wink-nlp') as (model: unknown, pipe?: string[]) => Wink;
  const model = require('wink-eng-lite-web-model') as unknown;
  winkCache = winkNLP(model, ['sbd', 'pos']);
  return winkCache;
}

/**
 * wink-nlp tokenization of normalised text, post-processed with the same rules as `tokenize`.
 * wink splits mixed-script and digit-led words ("4nthr4x" → 4 | nthrax); pieces with no space
 * between them are re-joined before the shared rules run, so obfuscated words survive.
 */
export function winkTokenizeNormalized(norm: string, wink: Wink = loadWink()): string[] {
  const doc = wink.readDoc(norm);
  const toks = doc.tokens().out(wink.its.value);
  const spaces = doc.tokens().out(wink.its.precedingSpaces);
  const chunks: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] === "n't" || toks[i] === 'n’t' ? ' not' : toks[i]!;
    if (i > 0 && (spaces[i] ?? '') === '' && chunks.length > 0 && !t.startsWith(' ')) chunks[chunks.length - 1] += t;
    else chunks.push(t);
  }
  const raw: string[] = [];
  for (const c of chunks) {
    // A glued "do n't" arrives as "do not" only when wink split it; "don't" glued back stays one chunk.
    const piece = c.replace(/n['’]t\b/g, ' not');
    WORD.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = WORD.exec(piece)) !== null) raw.push(m[0]);
  }
  return finish(raw);
}

export function winkTokenize(text: string, wink?: Wink): string[] {
  return winkTokenizeNormalized(normalizeText(text), wink);
}
