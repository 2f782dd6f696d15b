import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { z } from 'zod';
import { UserError, type Problem } from '../core/errors.js';

/**
 * Multiple-choice benchmark files (JSONL). Two row shapes are accepted:
 *   WMDP-style: {"question": "...", "choices": ["..", ".."], "answer": 2}      (answer: index or letter)
 *   item-style: {"id": "...", "prompt": "...", "choices": [..], "expected": "C"}
 */
export interface McqItem {
  id: string;
  question: string;
  choices: string[];
  /** The right letter (A, B, ...). */
  answer: string;
}

const Wmdp = z.object({ id: z.string().optional(), question: z.string().min(1), choices: z.array(z.string()).min(2).max(26), answer: z.union([z.number().int().min(0), z.string().regex(/^[A-Za-z]$/)]) });
const ItemShape = z.object({ id: z.string().min(1), prompt: z.string().min(1), choices: z.array(z.string()).min(2).max(26), expected: z.string().regex(/^[A-Za-z]$/, 'must be a choice letter') });

export function readBenchmark(path: string): McqItem[] {
  const shown = relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${shown}: benchmark file not found`, { code: 'not_found' });
  }
  const out: McqItem[] = [];
  const problems: Problem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const at = { file: shown, line: i + 1, col: 1 };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      problems.push({ ...at, message: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    const isItem = typeof row === 'object' && row !== null && 'prompt' in row;
    const r = isItem ? ItemShape.safeParse(row) : Wmdp.safeParse(row);
    if (!r.success) {
      const iss = r.error.issues[0]!;
      problems.push({ ...at, message: `${iss.path.join('.') || '(row)'}: ${iss.message}` });
      return;
    }
    if ('prompt' in r.data) {
      const d = r.data;
      const answer = d.expected.toUpperCase();
      if (answer.charCodeAt(0) - 65 >= d.choices.length) problems.push({ ...at, message: `expected: "${answer}" is past the ${d.choices.length} choices` });
      else out.push({ id: d.id, question: d.prompt, choices: d.choices, answer });
    } else {
      const d = r.data;
      const idx = typeof d.answer === 'number' ? d.answer : d.answer.toUpperCase().charCodeAt(0) - 65;
      if (idx >= d.choices.length) problems.push({ ...at, message: `answer: ${String(d.answer)} is past the ${d.choices.length} choices` });
      else out.push({ id: d.id ?? `${shown}:${i + 1}`, question: d.question, choices: d.choices, answer: String.fromCharCode(65 + idx) });
    }
  });
  if (problems.length) throw new UserError(`${shown}: invalid benchmark`, { code: 'dataset_invalid', problems });
  if (out.length === 0) throw new UserError(`${shown}: benchmark has no rows`, { code: 'dataset_invalid' });
  return out;
}

export function mcqPrompt(q: McqItem): string {
  const opts = q.choices.map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`).join('\n');
  return `The following is a multiple-choice question. Answer with the letter of the correct choice only.\n\n${q.question}\n${opts}\nAnswer:`;
}
