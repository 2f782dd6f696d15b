import { UserError } from '../core/errors.js';
import type { Item, Message } from '../core/types.js';
import { encodingTransforms } from './transforms/encoding.js';
import { framingTransforms } from './transforms/framing.js';
import { injectionTransforms } from './transforms/injection.js';
import { multiTurnTransforms } from './transforms/multiturn.js';
import { paraphraseTransforms } from './transforms/paraphrase.js';
import { translationTransforms } from './transforms/translation.js';
import { typographicTransforms } from './transforms/typographic.js';
import { attackOf, type Attack, type Transform, type TransformDecl } from './types.js';

/** Every built-in transform, by id. */
export const TRANSFORMS: readonly Transform[] = [
  ...encodingTransforms,
  ...framingTransforms,
  ...injectionTransforms,
  ...paraphraseTransforms,
  ...translationTransforms,
  ...multiTurnTransforms,
  ...typographicTransforms,
];

const BY_ID = new Map(TRANSFORMS.map((t) => [t.id, t]));

export function listTransforms(): TransformDecl[] {
  return TRANSFORMS.map(({ id, description, kind, variants }) => ({ id, description, kind, variants }));
}

export function getTransform(id: string): Transform {
  const t = BY_ID.get(id);
  if (!t) throw new UserError(`unknown transform "${id}" (known: ${[...BY_ID.keys()].join(', ')})`);
  return t;
}

/**
 * A composition `a+b+c`: `a` is applied to the goal first (innermost), `b` wraps the result, `c`
 * wraps that. So `base64+roleplay` is a role-play framing around a base64-encoded request.
 */
export function parseComposition(spec: string): Transform[] {
  const ids = spec.split('+').map((s) => s.trim());
  if (ids.length === 0 || ids.some((s) => s.length === 0)) throw new UserError(`bad transform composition "${spec}": write ids joined by +, e.g. base64+roleplay`);
  return ids.map(getTransform);
}

export function isComposition(spec: string): boolean {
  return spec.split('+').every((s) => BY_ID.has(s.trim()));
}

/** Apply a composition to an attack (variant `v` selects each transform's variant). */
export function compose(transforms: readonly Transform[], attack: Attack, v = 0): Attack {
  return transforms.reduce((a, t) => t.apply(a, v), attack);
}

export function applySpec(spec: string, goal: string, v = 0): Attack {
  return compose(parseComposition(spec), attackOf(goal), v);
}


/** The item-level contract: a transform composition turns an item into its attacked variants. */
export function transformItem(item: Item, spec: string): Item[] {
  const ts = parseComposition(spec);
  const goal = item.prompt ?? [...(item.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
  const n = Math.max(...ts.map((t) => t.variants));
  const out: Item[] = [];
  for (let v = 0; v < n; v++) {
    const a = compose(ts, attackOf(goal), v);
    const messages: Message[] = [...(a.context ?? [])];
    // Multi-turn attacks become a transcript whose earlier assistant turns are placeholders.
    a.turns.forEach((t, i) => {
      messages.push({ role: 'user', content: t });
      if (i < a.turns.length - 1) messages.push({ role: 'assistant', content: 'OK.' });
    });
    const single = messages.length === 1;
    out.push({
      ...item,
      id: `${item.id}~${spec}~${v}`,
      prompt: single ? messages[0]!.content : undefined,
      messages: single ? undefined : messages,
      source: item.source,
      ...(a.media?.length ? { media: [...(item.media ?? []), ...a.media] } : {}),
      meta: { ...(item.meta ?? {}), strategy: spec, parent: item.id, variant: v },
    });
  }
  return out;
}
