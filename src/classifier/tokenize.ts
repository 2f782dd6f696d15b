import { createRequire } from 'node:module';
import { deobfuscateToken, joinSpacedLetters, normalizeText, spacedLetterRuns } from './normalize.js';

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

/** The raw word pieces of normalised text with their offsets ("don't" → "do" + "not" handled here). */
function scan(norm: string, raw: string[], starts: number[] | null, ends: number[] | null): void {
  WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  let prevEnd = -1;
  while ((m = WORD.exec(norm)) !== null) {
    const tok = m[0];
    // "don't" → "do" + "not": the regex gave "don" then "t" right after an apostrophe.
    if (tok === 't' && prevEnd === m.index - 1 && APOS.test(norm[prevEnd] ?? '') && raw.length > 0) {
      const prev = raw[raw.length - 1]!;
      if (prev.length > 1 && prev.endsWith('n')) {
        raw[raw.length - 1] = prev.slice(0, -1);
        raw.push('not');
        if (starts && ends) {
          ends[ends.length - 1] = prevEnd - 1;
          starts.push(prevEnd - 1);
          ends.push(m.index + 1);
        }
        prevEnd = m.index + tok.length;
        continue;
      }
    }
    raw.push(tok);
    if (starts && ends) {
      starts.push(m.index);
      ends.push(m.index + tok.length);
    }
    prevEnd = m.index + tok.length;
  }
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
  const starts: number[] = [];
  const ends: number[] = [];
  for (const g of spacedLetterRuns(toks)) {
    tokens.push(g.end - g.start === 1 ? toks[g.start]! : toks.slice(g.start, g.end).join(''));
    starts.push(ts[g.start]!);
    ends.push(te[g.end - 1]!);
  }
  return { tokens, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
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
