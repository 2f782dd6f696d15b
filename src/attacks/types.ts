import { z } from 'zod';
import type { MediaRef } from '../core/types.js';

/**
 * An attack in flight: the user turns to send one after another (the target answers each), an
 * optional system prompt, and optional pre-filled context (many-shot priming). Transforms rewrite
 * the last turn (the payload) or split / wrap it; they never call a model.
 */
export interface Attack {
  /** User turns, sent in order; the target's answer to the last one is judged. */
  turns: string[];
  /** Fabricated earlier exchanges placed before the first turn (priming). */
  context?: { role: 'user' | 'assistant'; content: string }[];
  /** Ids of the transforms applied, innermost first. */
  applied: string[];
  /** Images / audio sent with the last turn (the typographic transform puts the payload there). */
  media?: MediaRef[];
}

export const TransformKind = z.enum(['encoding', 'framing', 'injection', 'paraphrase', 'translation', 'multi-turn', 'priming', 'modality']);
export type TransformKind = z.infer<typeof TransformKind>;

/** What a transform declares about itself (listed by `pillars redteam strategies`). */
export interface TransformDecl {
  id: string;
  description: string;
  kind: TransformKind;
  /** How many distinct variants `apply` can produce (variant index is taken modulo this). */
  variants: number;
}

export interface Transform extends TransformDecl {
  /** Pure: the same attack and variant give the same result. */
  apply(attack: Attack, variant?: number): Attack;
}

/** Start an attack from a plain goal. */
export function attackOf(goal: string): Attack {
  return { turns: [goal], applied: [] };
}

/** The payload (last turn). */
export function payloadOf(a: Attack): string {
  return a.turns[a.turns.length - 1] ?? '';
}

/** Replace the payload with `text`, recording the transform id. */
export function withPayload(a: Attack, id: string, text: string): Attack {
  return { ...a, turns: [...a.turns.slice(0, -1), text], applied: [...a.applied, id] };
}

/** Pick variant `v` of a list, deterministically. */
export function pick<T>(list: readonly T[], v: number): T {
  const x = list[((v % list.length) + list.length) % list.length];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
}
