import type { Item, Judge, JudgeInput, Verdict } from '../core/types.js';
import { normalize } from './text.js';

/**
 * `keyword`: every `mustInclude` string present and no `mustNotInclude` string present
 * (case-insensitive, Unicode-normalised, whitespace-collapsed). Label pass | fail, or n/a when the
 * item names no keywords.
 */
export function keywordVerdict(item: Pick<Item, 'mustInclude' | 'mustNotInclude'>, response: string): Verdict {
  const inc = item.mustInclude ?? [];
  const exc = item.mustNotInclude ?? [];
  if (inc.length === 0 && exc.length === 0) return { judge: 'keyword', label: 'n/a', score: 0, reasons: ['the item names no keywords'] };
  const text = normalize(response);
  const missing = inc.filter((k) => !text.includes(normalize(k)));
  const found = exc.filter((k) => text.includes(normalize(k)));
  const reasons: string[] = [];
  if (missing.length) reasons.push(`missing required: ${missing.map((k) => JSON.stringify(k)).join(', ')}`);
  if (found.length) reasons.push(`contains forbidden: ${found.map((k) => JSON.stringify(k)).join(', ')}`);
  const passed = missing.length === 0 && found.length === 0;
  if (passed) reasons.push(`all ${inc.length} required present, none of ${exc.length} forbidden`);
  const total = inc.length + exc.length;
  return { judge: 'keyword', label: passed ? 'pass' : 'fail', score: (total - missing.length - found.length) / total, reasons, passed };
}

export function createKeywordJudge(): Judge {
  return { id: 'keyword', judge: (input: JudgeInput) => Promise.resolve(keywordVerdict(input.item, input.response)) };
}
