import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/**
 * Labelled grounding pairs (data/grounding/*.jsonl): one line per question with its sources and
 * several answers, each labelled grounded or not (and, when it does not address the question,
 * `relevant: false`). A whole question goes to one split, chosen by a hash of its id, so the
 * answers that share a source never sit on both sides.
 */

export interface LabelledPair {
  group: string;
  question: string;
  sources: string[];
  answer: string;
  grounded: boolean;
  relevant: boolean;
  kind: string;
  split: 'tune' | 'test';
}

/** Share of questions in the tuning split (thresholds are set there, agreement is reported on the rest). */
export const TUNE_SHARE = 0.4;

export function splitOf(id: string): 'tune' | 'test' {
  const h = createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32;
  return h < TUNE_SHARE ? 'tune' : 'test';
}

export function readPairs(files: readonly string[]): LabelledPair[] {
  const out: LabelledPair[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let g: { id?: unknown; question?: unknown; sources?: unknown; answers?: unknown };
        try {
          g = JSON.parse(line) as typeof g;
        } catch (e) {
          throw new UserError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
        }
        if (typeof g.id !== 'string' || typeof g.question !== 'string' || !Array.isArray(g.sources) || !Array.isArray(g.answers)) {
          throw new UserError(`${file}:${i + 1}: expected {id, question, sources: [...], answers: [...]}`);
        }
        for (const [j, a] of (g.answers as { text?: unknown; grounded?: unknown; relevant?: unknown; kind?: unknown }[]).entries()) {
          if (typeof a.text !== 'string' || typeof a.grounded !== 'boolean') throw new UserError(`${file}:${i + 1}: answers.${j}: needs text (string) and grounded (boolean)`);
          out.push({
            group: g.id,
            question: g.question,
            sources: (g.sources as unknown[]).map(String),
            answer: a.text,
            grounded: a.grounded,
            relevant: a.relevant !== false,
            kind: typeof a.kind === 'string' ? a.kind : 'unknown',
            split: splitOf(g.id),
          });
        }
      });
  }
  return out;
}
