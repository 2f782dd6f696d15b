/**
 * Invisible Unicode: tag characters (U+E0000–E007F, which spell hidden ASCII: "ASCII smuggling"),
 * bidirectional controls (U+202A–202E, U+2066–2069, U+200E/F, U+061C: "Trojan source"),
 * zero-width and other invisible format characters. Stripped from what the gateway forwards and
 * returns, and flagged; tag characters are also decoded so the hidden text can be decided.
 */

// Kept: the zero-width joiner (U+200D: emoji sequences, Indic scripts) and non-joiner (U+200C:
// Persian, Urdu and Indic words need it).
const INVISIBLE = /[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u2060-\u2064\uFEFF\u180E\u115F\u1160\u3164\uFFA0]/gu;
const TAGS = /[\u{E0020}-\u{E007E}]+/gu;

export interface InvisibleFound {
  /** Characters removed. */
  count: number;
  /** Text spelled in tag characters (hidden instructions), if any. */
  hidden: string;
}

export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/** The text without invisible characters, and what was found (null: none). */
export function stripInvisible(text: string): { text: string; found: InvisibleFound | null } {
  if (!hasInvisible(text)) return { text, found: null };
  let hidden = '';
  for (const m of text.matchAll(TAGS)) hidden += [...m[0]].map((c) => String.fromCharCode(c.codePointAt(0)! - 0xe0000)).join('');
  let count = 0;
  const out = text.replace(INVISIBLE, () => {
    count++;
    return '';
  });
  return { text: out, found: { count, hidden } };
}
