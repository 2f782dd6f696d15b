import type { Decision } from '../core/types.js';
import { STRICTNESS } from '../policy/effective.js';
import { decideText, isBlocking } from './checks.js';
import { HttpError } from './http.js';
import { inputSegments, rewriteInput, STANDING_ROLES, type InputSegment } from './input-channels.js';
import { mediaInput } from './input-media.js';
import type { ChatMessage, ChatRequest } from './openai.js';
import type { Caller, GatewayState } from './state.js';
import { sentences } from './text-split.js';

/**
 * The input check: every text of the request is decided on its own (so one harmful message among
 * benign ones decides), the request's messages also joined (a request split across messages),
 * and the strictest decision wins. Context (assistant turns, earlier turns) is decided like the
 * request unless `gateway.input.context` says otherwise. PII is redacted in every message but
 * the assistant's before anything is forwarded.
 */

export interface SegmentDecision {
  seg: InputSegment;
  decision: Decision;
}

export interface InputVerdict {
  /** The decision that stands for the request (the strictest; a copy naming where it was found). */
  final: Decision;
  /** An exception that applied to an allowed text (adapter routing, monitoring). */
  exception: Decision['exception'];
  /** Every text that was not a plain allow, with its decision. */
  flagged: SegmentDecision[];
  /** The messages to forward (redacted). */
  forward: ChatMessage[];
  /** The message the audit records as the prompt: the last user message, else the last request message; -1 for none. */
  promptIndex: number;
  /** Texts decided (for the audit). */
  checked: number;
}

const NOTHING: Decision = { action: 'allow', policy: null, pillar: null, topic: null, level: null, score: 0, stage: 'embedded', reasons: ['no text to check'] };

/** A segment's rank among equally strict decisions: the request before context, later before earlier. */
const rank = (s: InputSegment): number => (s.kind === 'request' ? 1e6 : 0) + s.msg;

export async function checkInput(state: GatewayState, caller: Caller, body: ChatRequest): Promise<InputVerdict> {
  const cfg = state.cfg.input;
  const texts = inputSegments(body, cfg);
  // Images and audio, mapped into text by the aligner (input-media.ts); decided with the rest.
  const media = await mediaInput(state, caller, body, cfg);
  const segs = media.segments.length ? [...texts, ...media.segments].sort((a, b) => (a.msg < 0 ? 1e9 : a.msg) - (b.msg < 0 ? 1e9 : b.msg)) : texts;
  let chars = 0;
  for (const s of segs) chars += s.text.length;
  assertInputSize(state, caller.tier, chars);
  const decided = segs.filter((s) => s.kind === 'request' || cfg.context !== 'off');
  const results: SegmentDecision[] = await Promise.all(
    decided.map(async (seg) => {
      const decision = await decideText(state, caller, { text: seg.text, role: seg.guardRole, kind: seg.json ? 'json' : 'prose' });
      const exempt = cfg.exempt[seg.role] ?? [];
      return { seg, decision: decision.policy && exempt.includes(decision.policy) && decision.action !== 'allow' ? await withoutExempt(state, caller, seg, decision, exempt) : decision };
    }),
  );
  results.push(...media.unread);

  // A request split across messages: the current turn's own words (not the standing system or
  // developer instructions, which would read as a role-play preamble), joined, decide too (blocking only).
  const mine = segs.filter((s) => s.kind === 'request' && s.guardRole === 'input' && s.msg >= 0 && s.msg > lastAssistant(body) && !STANDING_ROLES.has(s.role));
  if (cfg.joined && mine.length > 1) {
    const joined = { where: `messages[${mine[0]!.msg}..${mine.at(-1)!.msg}] (joined)`, place: { at: 'fixed' }, msg: mine.at(-1)!.msg, role: 'joined', kind: 'request', guardRole: 'input', text: mine.map((s) => s.text).join('\n') } as const;
    const d = await decideText(state, caller, { text: joined.text, role: 'input' });
    if (isBlocking(d)) results.push({ seg: joined, decision: d });
  }

  const effective = (r: SegmentDecision): Decision => {
    // refuse-only: a deflected earlier turn does not deflect every later one.
    if (r.seg.kind === 'context' && cfg.context === 'refuse-only' && r.decision.action === 'deflect') return { ...r.decision, action: 'allow' };
    return r.decision;
  };
  let best: SegmentDecision | null = null;
  for (const r of results) {
    if (!best) best = r;
    else {
      const a = STRICTNESS[effective(r).action];
      const b = STRICTNESS[effective(best).action];
      if (a > b || (a === b && rank(r.seg) > rank(best.seg))) best = r;
    }
  }
  const flagged = results.filter((r) => r.decision.action !== 'allow' || r.decision.exception || r.seg.unread);
  const final: Decision = best ? { ...effective(best), reasons: [`decided on ${best.seg.where}, ${best.seg.kind}`, ...best.decision.reasons] } : { ...NOTHING, reasons: [...NOTHING.reasons] };
  if (best && effective(best) !== best.decision) final.reasons.push(`gateway.input.context is refuse-only: a deflected ${best.seg.kind} text does not block`);

  // The exception for routing: the final decision's, else one that allowed a request text.
  const withException = results
    .filter((r) => !isBlocking(effective(r)) && r.decision.exception)
    .sort((a, b) => rank(b.seg) - rank(a.seg))[0];
  const exception = final.exception ?? withException?.decision.exception ?? null;

  // The forwarded (or, when blocked, audited) messages: redacted.
  const forward = redactInput(state, body.messages, segs, new Map(results.map((r) => [r.seg, r.decision])));

  let promptIndex = -1;
  body.messages.forEach((m, i) => {
    if (m.role === 'user') promptIndex = i;
  });
  if (promptIndex < 0) promptIndex = mine.at(-1)?.msg ?? segs.filter((s) => s.msg >= 0 && s.kind === 'request').at(-1)?.msg ?? segs.filter((s) => s.msg >= 0).at(-1)?.msg ?? -1;
  return { final, exception, flagged, forward, promptIndex, checked: results.length };
}

/** PII rewritten in every text but the assistant's: the guard's redaction where it gave one, else the gateway's redactor. */
function redactInput(state: GatewayState, messages: ChatMessage[], segs: InputSegment[], decided: Map<InputSegment, Decision>): ChatMessage[] {
  const edits: { place: InputSegment['place']; text: string }[] = [];
  for (const s of segs) {
    if (s.place.at === 'fixed' || s.role === 'assistant') continue;
    const d = decided.get(s);
    const text = d?.action === 'redact' && d.redacted !== undefined ? d.redacted : state.redact ? state.redact(s.text).text : s.text;
    if (text !== s.text) edits.push({ place: s.place, text });
  }
  return rewriteInput(messages, edits);
}

function lastAssistant(body: ChatRequest): number {
  for (let i = body.messages.length - 1; i >= 0; i--) if (body.messages[i]!.role === 'assistant') return i;
  return -1;
}

/**
 * A decision for a policy that does not apply to this role's text (`input.exempt`): the text's
 * sentences are decided one by one and the strictest decision of another policy stands, so an
 * exempt sentence cannot hide a harmful one beside it; with none, the text is allowed.
 */
async function withoutExempt(state: GatewayState, caller: Caller, seg: InputSegment, d: Decision, exempt: string[]): Promise<Decision> {
  const why = `${d.policy} does not apply to ${seg.role} text (gateway.input.exempt)`;
  const parts = sentences(seg.text, seg.json ? 'json' : 'prose');
  let best: Decision | null = null;
  if (parts.length > 1) {
    for (const p of parts) {
      const x = await decideText(state, caller, { text: p, role: seg.guardRole });
      if (x.policy && exempt.includes(x.policy)) continue;
      if (!best || STRICTNESS[x.action] > STRICTNESS[best.action]) best = x;
    }
  }
  if (best && best.action !== 'allow') return { ...best, reasons: [...best.reasons, `${why}; decided on its sentences`] };
  return { action: 'allow', policy: null, pillar: null, topic: null, level: null, score: d.score, stage: d.stage, reasons: [...d.reasons, `${why}: allowed`], exception: null };
}

/** The most characters of text a tier's request may hold (`gateway.input.maxCharsByTier`, else `maxChars`). */
export function inputLimit(state: GatewayState, tier: string): number {
  return state.cfg.input.maxCharsByTier[tier] ?? state.cfg.input.maxChars;
}

/** 413 `payload_too_large` when a request holds more text than its tier may send (before any guard work). */
export function assertInputSize(state: GatewayState, tier: string, chars: number): void {
  const limit = inputLimit(state, tier);
  if (chars > limit) {
    throw new HttpError(413, `the request holds ${chars} characters of text; tier ${tier} may send at most ${limit} (gateway.input.maxChars / maxCharsByTier)`, 'invalid_request_error', 'payload_too_large');
  }
}
