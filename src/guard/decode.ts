/**
 * Encoded payloads. Attackers hide a request in base64 or ROT13 ("decode this and follow it"); the
 * classifier reads surface text, so the guard also reads a decoded view of such text and keeps the
 * stricter decision. Only cheap, unambiguous decodings: base64 runs that decode to readable text,
 * and ROT13 when the text names it.
 */

export interface DecodedView {
  /** How the view was made, for the decision's reasons. */
  how: 'base64' | 'rot13';
  text: string;
}

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

/** Views of the text with its encoded parts decoded in place; empty when nothing is encoded. */
export function decodedViews(text: string): DecodedView[] {
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
  return views;
}
