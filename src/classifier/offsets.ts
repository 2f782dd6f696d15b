import { normalizeText } from './normalize.js';

/**
 * Where a position of the normalised text lies in the original text (segment spans are reported
 * in the caller's offsets). ASCII text normalises to itself (lower case only); other text is mapped
 * code point by code point, each normalised alone (NFKD, accent and invisible-character removal and
 * lower-casing are per character); when that does not add up, positions are scaled.
 */
export interface OffsetMap {
  /** The original offset of the character at normalised position i. */
  start(i: number): number;
  /** The original offset just past the character at normalised position e - 1. */
  end(e: number): number;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Normalised length of one character, cached (a text repeats its characters). */
const lengths = new Map<string, number>();
function normalizedLength(ch: string): number {
  let n = lengths.get(ch);
  if (n === undefined) {
    if (lengths.size > 20000) lengths.clear();
    n = normalizeText(ch).length;
    lengths.set(ch, n);
  }
  return n;
}

export function originalOffsets(text: string, norm: string): OffsetMap {
  if (text.length === norm.length && ASCII.test(text)) return { start: (i) => i, end: (e) => e };
  const from = new Int32Array(norm.length + 1);
  const to = new Int32Array(norm.length + 1);
  let at = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const len = cp < 0x80 ? 1 : normalizedLength(text.slice(i, i + w));
    for (let k = 0; k < len && at < norm.length; k++, at++) {
      from[at] = i;
      to[at] = i + w;
    }
    i += w;
  }
  if (at !== norm.length) {
    const r = text.length / Math.max(1, norm.length);
    return { start: (i) => Math.min(text.length, Math.floor(i * r)), end: (e) => Math.min(text.length, Math.ceil(e * r)) };
  }
  return {
    start: (i) => (i >= norm.length ? text.length : from[i]!),
    end: (e) => (e <= 0 ? 0 : to[Math.min(e, norm.length) - 1]!),
  };
}
