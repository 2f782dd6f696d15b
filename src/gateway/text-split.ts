/**
 * Where text may be cut: sentence boundaries (for stream windows and for checking long texts in
 * pieces), whitespace as a fallback, never inside a UTF-16 surrogate pair. `json` text (tool-call
 * arguments) also breaks after a comma or an escaped newline.
 */

export type TextKind = 'prose' | 'json';

const ENDS = '.!?…。！？';
const WIDE_ENDS = '。！？';
const CLOSERS = '"\')]”’»*_`';

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x3000;

/** Is `i` (0 < i <= length) just after a sentence end and its whitespace, or after a newline? */
export function isBoundary(text: string, i: number, kind: TextKind = 'prose'): boolean {
  if (i <= 0 || i > text.length) return false;
  const prev = text.charCodeAt(i - 1);
  if (prev === 10) return true;
  if (kind === 'json' && (prev === 44 || (prev === 110 && text.charCodeAt(i - 2) === 92))) return true; // `,` or `\n`
  if (!isSpace(prev)) return WIDE_ENDS.includes(text[i - 1]!);
  let j = i - 2;
  while (j >= 0 && CLOSERS.includes(text[j]!)) j--;
  return j >= 0 && ENDS.includes(text[j]!);
}

/** The last sentence boundary in (from, to], or -1. */
export function lastBoundary(text: string, from: number, to: number, kind: TextKind = 'prose'): number {
  for (let i = Math.min(to, text.length); i > from; i--) if (isBoundary(text, i, kind)) return i;
  return -1;
}

/** The last position in (from, to] just after whitespace, or -1. */
export function lastSpace(text: string, from: number, to: number): number {
  for (let i = Math.min(to, text.length); i > from; i--) if (isSpace(text.charCodeAt(i - 1))) return i;
  return -1;
}

/** `i`, or one less when `i` would split a surrogate pair. */
export function safeCut(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  return i > 0 && i < text.length && c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
}

/** A cut point in (from, to]: the last sentence boundary past the middle, else whitespace, else `to`. */
export function cutPoint(text: string, from: number, to: number, kind: TextKind = 'prose'): number {
  const mid = from + Math.floor((to - from) / 2);
  const b = lastBoundary(text, mid, to, kind);
  if (b > from) return b;
  const s = lastSpace(text, mid, to);
  if (s > from) return s;
  const c = safeCut(text, to);
  return c > from ? c : to;
}

/**
 * A long text as pieces of at most `max` characters cut at sentence boundaries, each starting
 * `overlap` characters before the previous one ended (so a phrase across a cut is read whole).
 */
export function pieces(text: string, max: number, overlap: number, kind: TextKind = 'prose'): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let start = 0;
  for (;;) {
    if (text.length - start <= max) {
      out.push(text.slice(start));
      return out;
    }
    const end = cutPoint(text, start, start + max, kind);
    out.push(text.slice(start, end));
    start = Math.max(start + 1, safeCut(text, end - overlap));
  }
}

/** A text's sentences (cut at every sentence boundary), blank ones dropped. */
export function sentences(text: string, kind: TextKind = 'prose'): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || isBoundary(text, i, kind)) {
      const t = text.slice(start, i).trim();
      if (t !== '') out.push(t);
      start = i;
    }
  }
  return out;
}
