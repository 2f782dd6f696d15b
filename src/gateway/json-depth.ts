/**
 * How deeply a JSON text nests, measured before it is parsed: a body nested thousands of levels
 * deep parses, but whatever walks it afterwards (the request schema, the input channels) recurses
 * and overflows the stack. One pass over the characters, no recursion, strings skipped.
 */

/** The default most nesting levels a request body may have (a chat request needs fewer than 10). */
export const MAX_JSON_DEPTH = 64;

/** The first position where `text` nests deeper than `max` levels of `[` / `{`, or -1. */
export function jsonTooDeep(text: string, max: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
