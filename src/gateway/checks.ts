import type { Action } from '../core/pillars.js';
import type { Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import { redactPii } from '../guard/index.js';
import { decisionKey } from './decision-cache.js';
import { answerUrls, observeDecision, withinBudget } from './rails.js';
import { guardTry, type Caller, type GatewayState } from './state.js';
import { pieces, type TextKind } from './text-split.js';

/**
 * One text through the guard, with the decision cache in front. The guard scores a text's
 * segments itself (benign padding does not dilute a harmful passage); very long texts go in
 * overlapping pieces so one guard call stays bounded (the strictest piece wins).
 */

/** Texts longer than this are decided in pieces of at most this many characters ... */
export const PIECE_CHARS = 4000;
/** ... each repeating this many characters of the one before. */
export const PIECE_OVERLAP = 300;

export const BLOCKING: ReadonlySet<Action> = new Set<Action>(['refuse', 'deflect']);
export const isBlocking = (d: Decision): boolean => BLOCKING.has(d.action);

/** The strictest of some decisions (the first among equals), or null for none. */
export function strictestOf<T>(items: readonly T[], decision: (t: T) => Decision): T | null {
  let best: T | null = null;
  for (const it of items) if (best === null || STRICTNESS[decision(it).action] > STRICTNESS[decision(best).action]) best = it;
  return best;
}

export interface TextCheck {
  text: string;
  /** `input`: the caller's words; `output`: a model's. */
  role: 'input' | 'output';
  kind?: TextKind;
}

/** Decide on one text (cached; in pieces when long), within the request's latency budget; shadow mode and a trace span (rails.ts). */
export async function decideText(state: GatewayState, caller: Caller, check: TextCheck): Promise<Decision> {
  const t0 = performance.now();
  const d = await withinBudget(state, caller, decidePieces(state, caller, check));
  const seen = observeDecision(state, caller, 'guard', check.role, d, t0);
  return check.role === 'output' ? answerUrls(state, caller, check.text, seen) : seen;
}

async function decidePieces(state: GatewayState, caller: Caller, check: TextCheck): Promise<Decision> {
  const parts = pieces(check.text, PIECE_CHARS, PIECE_OVERLAP, check.kind);
  if (parts.length === 1) return decideOne(state, caller, check.text, check.role);
  const ds = await Promise.all(parts.map((p) => decideOne(state, caller, p, check.role)));
  const worst = strictestOf(ds, (d) => d)!;
  if (worst.action !== 'redact') return worst;
  // A piece's redaction covers only that piece: redact the whole text.
  const redacted = state.redact ? state.redact(check.text).text : redactPii(check.text).text;
  return { ...worst, redacted };
}

async function decideOne(state: GatewayState, caller: Caller, text: string, role: 'input' | 'output'): Promise<Decision> {
  // The date is part of the key: an exception that expires today stops applying at midnight.
  const key = `${state.now().toISOString().slice(0, 10)} ${decisionKey(role, caller.tier, caller.context, text, state.decisions.scope)}`;
  const hit = state.decisions.get(key);
  if (hit) return hit;
  const { decision, failed } = await guardTry(state, { text, role, caller: { tier: caller.tier, context: caller.context ?? undefined } });
  if (!failed) state.decisions.set(key, decision);
  return decision;
}
