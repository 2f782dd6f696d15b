import { z } from 'zod';
import type { Assertion } from '../core/assertion.js';

/**
 * The response checks of per-item assertions that need no model: contains, not-contains, regex,
 * equals, json-schema and similar (cosine of character-trigram and word counts: cheap, offline,
 * language-agnostic). Each returns whether it passed, a score in [0, 1] and one readable reason.
 */

export interface CheckResult {
  passed: boolean;
  score: number;
  reason: string;
}

const fold = (s: string, cs: boolean | undefined): string => (cs ? s : s.toLowerCase());
const quote = (s: string, n = 60): string => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

export function checkContains(a: Assertion, response: string): CheckResult {
  const text = fold(response, a.caseSensitive);
  const want = strings(a.value);
  const missing = want.filter((s) => !text.includes(fold(s, a.caseSensitive)));
  return missing.length === 0
    ? { passed: true, score: 1, reason: `contains ${want.map((s) => quote(s)).join(', ')}` }
    : { passed: false, score: (want.length - missing.length) / want.length, reason: `missing ${missing.map((s) => quote(s)).join(', ')}` };
}

export function checkNotContains(a: Assertion, response: string): CheckResult {
  const text = fold(response, a.caseSensitive);
  const found = strings(a.value).filter((s) => text.includes(fold(s, a.caseSensitive)));
  return found.length === 0 ? { passed: true, score: 1, reason: `none of ${strings(a.value).map((s) => quote(s)).join(', ')} present` } : { passed: false, score: 0, reason: `contains ${found.map((s) => quote(s)).join(', ')}` };
}

export function regexOf(value: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(value);
  return m ? new RegExp(m[1]!, m[2]) : new RegExp(value);
}

export function checkRegex(a: Assertion, response: string): CheckResult {
  const re = regexOf(String(a.value));
  const m = re.exec(response);
  return m ? { passed: true, score: 1, reason: `matches ${re} at ${quote(m[0], 40)}` } : { passed: false, score: 0, reason: `no match for ${re}` };
}

/** The JSON value a response holds: the whole text, else the inside of a ```json fence, else the first {...} or [...] span. */
export function parseJsonResponse(response: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const tries: string[] = [response.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(response);
  if (fence) tries.push(fence[1]!.trim());
  const start = response.search(/[{[]/);
  const end = Math.max(response.lastIndexOf('}'), response.lastIndexOf(']'));
  if (start >= 0 && end > start) tries.push(response.slice(start, end + 1));
  let error = 'empty response';
  for (const t of tries) {
    if (!t) continue;
    try {
      return { ok: true, value: JSON.parse(t) as unknown };
    } catch (e) {
      error = (e as Error).message;
    }
  }
  return { ok: false, error: `the response is not JSON (${error})` };
}

function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) return x.length === (y as unknown[]).length && x.every((v, i) => deepEqual(v, (y as unknown[])[i]));
  const kx = Object.keys(x as object);
  const ky = Object.keys(y as object);
  return kx.length === ky.length && kx.every((k) => deepEqual((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

/** `equals`: a string value compares with the trimmed response (case-insensitive unless caseSensitive); any other value compares with the response parsed as JSON. */
export function checkEquals(a: Assertion, response: string): CheckResult {
  if (typeof a.value === 'string') {
    const ok = fold(response.trim(), a.caseSensitive) === fold(a.value.trim(), a.caseSensitive);
    return { passed: ok, score: ok ? 1 : 0, reason: ok ? `equals ${quote(a.value)}` : `expected ${quote(a.value)}, got ${quote(response.trim())}` };
  }
  const parsed = parseJsonResponse(response);
  if (!parsed.ok) return { passed: false, score: 0, reason: parsed.error };
  const ok = deepEqual(parsed.value, a.value);
  return { passed: ok, score: ok ? 1 : 0, reason: ok ? 'the JSON equals the expected value' : `expected ${quote(JSON.stringify(a.value))}, got ${quote(JSON.stringify(parsed.value))}` };
}

const schemaCache = new WeakMap<object, z.ZodType>();

/** `json-schema`: the response parsed as JSON must validate against the schema (zod's JSON Schema reader). */
export function checkJsonSchema(a: Assertion, response: string): CheckResult {
  const schemaDoc = a.value as Record<string, unknown>;
  let schema = schemaCache.get(schemaDoc);
  if (!schema) {
    try {
      schema = z.fromJSONSchema(schemaDoc as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (e) {
      return { passed: false, score: 0, reason: `the JSON Schema cannot be used: ${(e as Error).message}` };
    }
    schemaCache.set(schemaDoc, schema);
  }
  const parsed = parseJsonResponse(response);
  if (!parsed.ok) return { passed: false, score: 0, reason: parsed.error };
  const r = schema.safeParse(parsed.value);
  if (r.success) return { passed: true, score: 1, reason: 'the JSON matches the schema' };
  const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { passed: false, score: 0, reason: `schema: ${issues.join('; ')}${r.error.issues.length > 3 ? ` (+${r.error.issues.length - 3} more)` : ''}` };
}

function counts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  const add = (k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  const norm = ` ${text.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  for (let i = 0; i + 3 <= norm.length; i++) add(`c:${norm.slice(i, i + 3)}`);
  for (const w of norm.trim().split(' ')) if (w) add(`w:${w}`);
  return m;
}

/** Cosine similarity of character-trigram and word counts, in [0, 1]. */
export function textSimilarity(a: string, b: string): number {
  const x = counts(a);
  const y = counts(b);
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (const [k, v] of x) {
    nx += v * v;
    const w = y.get(k);
    if (w) dot += v * w;
  }
  for (const v of y.values()) ny += v * v;
  return nx && ny ? dot / Math.sqrt(nx * ny) : 0;
}

export const SIMILAR_THRESHOLD = 0.5;

export function checkSimilar(a: Assertion, response: string): CheckResult {
  const sim = textSimilarity(response, String(a.value));
  const min = a.threshold ?? SIMILAR_THRESHOLD;
  const s = Math.round(sim * 1000) / 1000;
  return { passed: sim >= min, score: s, reason: `similarity ${s} ${sim >= min ? '≥' : '<'} ${min} to the reference` };
}
