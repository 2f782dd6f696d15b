import type { Item, Judge, JudgeInput, Verdict } from '../core/types.js';
import { normalize } from './text.js';

/**
 * `choice`: multiple-choice exact match. The chosen letter is extracted robustly: a bare letter,
 * "Answer: B" (in several languages), "**B**", "(B)", "B) ..." at the start, "option B", or the
 * text of exactly one choice. `expected` is the right letter.
 */

const ANSWER_WORDS = 'answer|correct answer|final answer|respuesta|réponse|reponse|antwort|resposta|risposta|jawaban|antwoord|答案|回答|正解';

export function normalizeLetter(s: string): string | null {
  const m = /^\s*\(?\s*([A-Za-z])\s*\)?\s*[.:)]?\s*$/.exec(s);
  return m ? m[1]!.toUpperCase() : null;
}

/** The letter a response chose, or null. `n` limits letters to the first n (A.. for n choices). */
export function extractChoice(response: string, n = 10): { letter: string | null; how: string } {
  const max = String.fromCharCode(64 + Math.max(1, Math.min(n, 26)));
  const ok = (l: string | undefined): string | null => {
    if (!l) return null;
    const u = l.toUpperCase();
    return u >= 'A' && u <= max ? u : null;
  };
  const text = response.replace(/\*\*|__/g, '').trim();
  const bare = ok(normalizeLetter(text) ?? undefined);
  if (bare) return { letter: bare, how: 'bare letter' };
  const ans = new RegExp(`(?:${ANSWER_WORDS})\\s*(?:is|es|est|ist|é|è|:|：|=)?\\s*[:：]?\\s*(?:option\\s+)?\\(?([A-Za-z])\\b\\)?`, 'iu').exec(text);
  if (ans && ok(ans[1])) return { letter: ok(ans[1]), how: 'answer statement' };
  const start = /^\(?([A-Za-z])[).:\]]\s/.exec(text);
  if (start && ok(start[1])) return { letter: ok(start[1]), how: 'leading letter' };
  const opt = /\b(?:option|choice|opción|opcion)\s+\(?([A-Za-z])\b/iu.exec(text);
  if (opt && ok(opt[1])) return { letter: ok(opt[1]), how: 'option mention' };
  const paren = new Set([...text.matchAll(/\(([A-Za-z])\)/g)].map((m) => ok(m[1])).filter((x): x is string => x !== null));
  if (paren.size === 1) return { letter: [...paren][0]!, how: 'single parenthesised letter' };
  return { letter: null, how: 'no letter found' };
}

/** Letter by choice text: exactly one choice's text appears in the response. */
function byChoiceText(response: string, choices: string[]): string | null {
  const text = normalize(response);
  const hits = choices.map((c, i) => ({ i, c: normalize(c) })).filter((x) => x.c.length >= 3 && text.includes(x.c));
  return hits.length === 1 ? String.fromCharCode(65 + hits[0]!.i) : null;
}

export function choiceVerdict(item: Pick<Item, 'expected' | 'choices'>, response: string): Verdict {
  const expected = normalizeLetter(item.expected);
  const n = item.choices?.length ?? 10;
  let { letter, how } = extractChoice(response, n);
  if (!letter && item.choices) {
    letter = byChoiceText(response, item.choices);
    if (letter) how = 'choice text';
  }
  if (!expected) return { judge: 'choice', label: 'error', score: 0, reasons: [`expected "${item.expected}" is not a choice letter`] };
  if (!letter) return { judge: 'choice', label: 'unanswered', score: 0, reasons: ['no choice letter found in the response'], passed: false };
  const correct = letter === expected;
  return {
    judge: 'choice',
    label: correct ? 'correct' : 'incorrect',
    score: correct ? 1 : 0,
    reasons: [`chose ${letter} (${how}); expected ${expected}`],
    passed: correct,
  };
}

export function createChoiceJudge(): Judge {
  return { id: 'choice', judge: (input: JudgeInput) => Promise.resolve(choiceVerdict(input.item, input.response)) };
}

/** Is this item judged by multiple-choice match? */
export function isChoiceItem(item: Pick<Item, 'expected' | 'choices'>): boolean {
  return (item.choices?.length ?? 0) > 0 && normalizeLetter(item.expected) !== null;
}
