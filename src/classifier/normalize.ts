/**
 * Text normalisation shared by training and inference, so that obfuscated spellings land on the
 * same features as plain ones:
 *  - Unicode compatibility forms (full-width letters, ligatures, math alphabets) → NFKD, then the
 *    Latin combining accents are dropped ("névé" → "neve"); other scripts keep their marks;
 *  - zero-width and soft-hyphen characters, bidi controls (U+202A-202E, U+2066-2069, U+200E/F),
 *    variation selectors and Unicode tag characters (U+E0000-E007F, which can hide ASCII) removed:
 *    the guard decides on the decoded tag text and the visually reordered text separately
 *    (src/guard/decode.ts);
 *  - letter-like symbols NFKD leaves alone mapped to Latin: small capitals (ᴀ ʙ ᴄ), negative
 *    circled/squared letters (🅐 🅰) and regional indicators (🇦). All of these are rare in training
 *    data, so the mapping changes no trained feature;
 *  - lower case;
 *  - per token: Cyrillic/Greek homoglyphs mapped to Latin when the token mixes scripts
 *    ("sаrin" with a Cyrillic а), leetspeak digits/symbols mapped to letters when the token is
 *    mostly letters ("n3rv3", "@nthr@x", "b0mb");
 *  - runs of 3+ single letters joined ("s a r i n", "s.a.r.i.n" → "sarin").
 */

const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u202A-\u202E\u2066-\u2069\uFE00-\uFE0F]|[\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;
const LATIN_ACCENTS = /[\u0300-\u036f]/g;
/** Letter-like characters with no compatibility decomposition (so NFKD keeps them). */
const LETTERLIKE = /[\u1D00-\u1D22\uA730-\uA731\u0262\u026A\u0274\u0280\u028F\u0299\u029C\u029F]|[\u{1F150}-\u{1F169}\u{1F170}-\u{1F189}\u{1F1E6}-\u{1F1FF}]/gu;
const SMALL_CAPS: Record<string, string> = {
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o', ᴘ: 'p',
  ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};

function letterlike(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x1f150 && cp <= 0x1f169) return String.fromCharCode(97 + cp - 0x1f150); // negative circled
  if (cp >= 0x1f170 && cp <= 0x1f189) return String.fromCharCode(97 + cp - 0x1f170); // negative squared
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return String.fromCharCode(97 + cp - 0x1f1e6); // regional indicators
  return SMALL_CAPS[ch] ?? ch;
}

/** Compatibility-fold, strip accents, invisible and control characters, map letter-like symbols, lower-case. */
export function normalizeText(text: string): string {
  let t = text.normalize('NFKD');
  t = t.replace(LATIN_ACCENTS, '').replace(ZERO_WIDTH, '');
  LETTERLIKE.lastIndex = 0;
  if (LETTERLIKE.test(t)) t = t.replace(LETTERLIKE, letterlike);
  return t.toLowerCase();
}

/** Cyrillic and Greek letters that look like Latin ones (lower case after normalizeText). */
export const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', ӏ: 'l', һ: 'h', ԛ: 'q', ԝ: 'w',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
};

export const LEET: Record<string, string> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l',
};

const isAsciiLetter = (c: number): boolean => c >= 97 && c <= 122;

/** Map homoglyphs (in mixed-script tokens) and leetspeak (in mostly-letter tokens); drop stray symbols. */
export function deobfuscateToken(tok: string): string {
  let ascii = 0;
  let other = 0;
  let leet = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (isAsciiLetter(c)) ascii++;
    else if (LEET[tok[i]!] !== undefined) leet++;
    else if (HOMOGLYPHS[tok[i]!] !== undefined) other++;
  }
  if (leet === 0 && (other === 0 || ascii === 0)) return tok;
  let out = '';
  const mapLeet = leet > 0 && ascii + other >= 2 && leet <= ascii + other;
  for (let i = 0; i < tok.length; i++) {
    const ch = tok[i]!;
    const c = tok.charCodeAt(i);
    if (isAsciiLetter(c)) out += ch;
    else if (LEET[ch] !== undefined) {
      if (mapLeet) out += LEET[ch];
      else if (c >= 48 && c <= 57) out += ch; // keep real digits
    } else if (ascii > 0 && HOMOGLYPHS[ch] !== undefined) out += HOMOGLYPHS[ch];
    else out += ch;
  }
  return out;
}

/** Token groups [start, end) after joining runs of 3 or more single-letter tokens; other tokens are groups of one. */
export function spacedLetterRuns(tokens: string[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i]!.length === 1) {
      let j = i;
      while (j < tokens.length && tokens[j]!.length === 1) j++;
      if (j - i >= 3) {
        out.push({ start: i, end: j });
        i = j;
        continue;
      }
    }
    out.push({ start: i, end: i + 1 });
    i++;
  }
  return out;
}

/** Join runs of 3 or more single-letter tokens ("s a r i n" → "sarin"). Mutates nothing; returns a new array. */
export function joinSpacedLetters(tokens: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i]!.length === 1) {
      let j = i;
      while (j < tokens.length && tokens[j]!.length === 1) j++;
      if (j - i >= 3) {
        out.push(tokens.slice(i, j).join(''));
        i = j;
        continue;
      }
    }
    out.push(tokens[i]!);
    i++;
  }
  return out;
}
