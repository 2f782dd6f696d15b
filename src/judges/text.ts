/** Small text helpers shared by the judges. */

export function normalize(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Word tokens (letters/digits in any script). */
export function words(s: string): string[] {
  return normalize(s).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Cosine similarity of word-count vectors, in [0, 1]. */
export function cosine(a: string, b: string): number {
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  for (const w of words(a)) ca.set(w, (ca.get(w) ?? 0) + 1);
  for (const w of words(b)) cb.set(w, (cb.get(w) ?? 0) + 1);
  if (ca.size === 0 && cb.size === 0) return 1;
  if (ca.size === 0 || cb.size === 0) return 0;
  let dot = 0;
  for (const [w, n] of ca) dot += n * (cb.get(w) ?? 0);
  const norm = (m: Map<string, number>): number => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  return dot / (norm(ca) * norm(cb));
}

export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The classifier's explanation (the phrases whose features weighed most: words, word pairs and
 * character n-grams such as "m" or "ay") as one readable reason: phrases of at least one
 * three-letter word, none repeated inside a longer one, quoted, e.g.
 * `words that weighed most: "sorry", "that request"`. Undefined when no phrase is readable.
 */
export function cueReason(explanation: readonly string[], max = 4): string | undefined {
  const readable = [...new Set(explanation.map((p) => p.trim()).filter((p) => /[\p{L}]{3,}/u.test(p)))];
  const kept = readable.filter((p) => !readable.some((q) => q !== p && q.length > p.length && ` ${q} `.includes(` ${p} `)));
  if (kept.length === 0) return undefined;
  return `words that weighed most: ${kept
    .slice(0, max)
    .map((p) => `"${p}"`)
    .join(', ')}`;
}
