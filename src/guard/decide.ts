import { LinearModel, NONE, type ClassifierModel, type ResponsePrediction, type SegmentPrediction, type TextPrediction } from '../classifier/index.js';
import { LEVEL_NAMES, type Action, type Level } from '../core/pillars.js';
import type { Caller, Decision, PiiSpan } from '../core/types.js';
import { effectiveAction, STRICTNESS, type EffectiveAction } from '../policy/effective.js';
import type { Policy, PolicyPack } from '../policy/schema.js';
import { decodedViews, VIEW_REASONS, type DecodeContext } from './decode.js';
import { redactPii, type PiiType } from './pii.js';

/**
 * The decision: topic × level × tier × context → allow | deflect | refuse | redact.
 * The classifier gives the topic (or none) and the level; the pack's ladder gives the action; an
 * exception turns it into `allow` only when the caller's tier may invoke the declared context, the
 * level is within `upTo` and it has not expired on `now` (src/policy/effective.ts, shared with
 * `policy explain`). PII found in an otherwise allowed text gives `redact` with the rewritten text.
 */

export interface DecideOptions {
  pack: PolicyPack;
  model: ClassifierModel;
  text: string;
  caller?: Caller;
  role?: 'input' | 'output';
  /** The date exceptions are checked against (default: today). */
  now?: Date;
  /** Topic-score band in which the embedded decision is marked unsure. */
  band?: [number, number];
  /** PII types that make an allowed text `redact` (empty: never redact). */
  redact?: readonly PiiType[];
}

export interface DecideResult {
  decision: Decision;
  /** The whole-text prediction. */
  prediction: TextPrediction;
  unsure: boolean;
  /** The segment (sentence, line or window) that decided, when one was stricter than the whole text. */
  segment?: SegmentPrediction;
}

const fmt = (p: number): string => p.toFixed(2);

/** Pick the policy covering a topic whose effective action is strictest (packs may hold several). */
export function policyFor(pack: PolicyPack, topic: string, level: Level, caller: Caller, today: string): { policy: Policy; eff: EffectiveAction } | null {
  let best: { policy: Policy; eff: EffectiveAction } | null = null;
  for (const policy of pack.policies) {
    if (policy.topic !== topic) continue;
    const eff = effectiveAction({ policy, cell: { level, tier: caller.tier ?? null, context: caller.context ?? null }, today });
    if (!best || STRICTNESS[eff.action] > STRICTNESS[best.eff.action]) best = { policy, eff };
  }
  return best;
}

/** The user-facing text for deflect/refuse, with the policy's help resources (pack field `help`) said once. */
export function messageFor(policy: Policy, action: Action): string | undefined {
  let msg: string;
  if (action === 'deflect') msg = policy.deflection?.trim() || `I can help with the general picture of this topic, but not at this level of detail (${policy.id}).`;
  else if (action === 'refuse') msg = `I can't help with this request: it falls under the "${policy.title}" policy (${policy.id}).`;
  else return undefined;
  const help = policy.help?.trim();
  return help && !msg.includes(help) ? `${msg} ${help}` : msg;
}

/** Build a Decision for a known topic + level (shared by the embedded stage and the cascade). */
export function decisionFor(input: {
  pack: PolicyPack;
  topic: string | null;
  level: Level;
  score: number;
  caller: Caller;
  today: string;
  stage: Decision['stage'];
  reasons: string[];
  text: string;
  redact: readonly PiiType[];
}): Decision {
  const { pack, topic, level, caller } = input;
  const reasons = [...input.reasons];
  let pii: PiiSpan[] | undefined;
  let redacted: string | undefined;
  if (input.redact.length > 0) {
    const r = redactPii(input.text, { types: input.redact });
    if (r.spans.length > 0) {
      pii = r.spans;
      redacted = r.text;
    }
  }
  const found = topic === null ? null : policyFor(pack, topic, level, caller, input.today);
  if (!found) {
    if (topic !== null) reasons.push(`no policy of pack ${pack.id} covers topic ${topic}`);
    const action: Action = redacted !== undefined ? 'redact' : 'allow';
    if (pii) reasons.push(`PII found: ${[...new Set(pii.map((s) => s.type))].join(', ')}`);
    return { action, policy: null, pillar: null, topic: null, level: null, score: input.score, stage: input.stage, reasons, exception: null, redacted: action === 'redact' ? redacted : undefined, pii };
  }
  const { policy, eff } = found;
  reasons.push(`${policy.id}: level ${level} (${LEVEL_NAMES[level]}) → ${eff.base}`);
  if (eff.exception) {
    reasons.push(`exception ${eff.exception.context} for tier ${caller.tier} (up to level ${eff.exception.upTo}, monitoring ${eff.exception.monitoring}${eff.exception.adapter ? `, adapter ${eff.exception.adapter}` : ''}) → allow`);
  } else if (caller.context) {
    const ex = policy.exceptions.find((e) => e.context === caller.context);
    if (ex && eff.base !== 'allow') {
      const why = !ex.tiers.includes(caller.tier) ? `tier ${caller.tier} may not invoke it` : level > ex.upTo ? `level ${level} is above upTo ${ex.upTo}` : `it expired on ${ex.expires}`;
      reasons.push(`exception ${ex.context} does not apply: ${why}`);
    }
  }
  let action = eff.action;
  if (action === 'redact' && redacted === undefined) {
    // The ladder asks for redaction: redact every PII type we know, even if the guard's list is narrower.
    const r = redactPii(input.text);
    pii = r.spans;
    redacted = r.text;
  }
  if (action === 'allow' && redacted !== undefined) action = 'redact';
  if (pii && action === 'redact') reasons.push(`PII found: ${[...new Set(pii.map((s) => s.type))].join(', ')}`);
  return {
    action,
    policy: policy.id,
    pillar: policy.pillar,
    topic,
    level,
    score: input.score,
    stage: input.stage,
    reasons,
    exception: eff.exception
      ? { context: eff.exception.context, upTo: eff.exception.upTo, monitoring: eff.exception.monitoring, ...(eff.exception.adapter ? { adapter: eff.exception.adapter } : {}) }
      : null,
    message: messageFor(policy, action),
    redacted: action === 'redact' ? redacted : undefined,
    pii,
  };
}

const SEVERITY: Record<Action, number> = { allow: 0, redact: 1, deflect: 2, refuse: 3 };

/**
 * The embedded decision (synchronous, no network). Text with an encoded or obfuscated payload
 * (base64, ROT13, Unicode tag characters, a right-to-left override, look-alike letters, leetspeak,
 * spaced-out letters, reversed text) is also decided on each decoded view (src/guard/decode.ts),
 * and the stricter decision wins.
 */
export function decide(opts: DecideOptions): DecideResult {
  const plain = decideText(opts);
  let best = plain;
  // Nothing is stricter than a refusal: a refused text needs no decoded view (and none is built).
  if (plain.decision.action === 'refuse') return plain;
  const vectors = opts.model instanceof LinearModel ? opts.model.vectors : null;
  const ctx: DecodeContext = vectors ? { known: (w) => vectors.has(w) } : {};
  for (const view of decodedViews(opts.text, ctx)) {
    const d = decideText({ ...opts, text: view.text });
    if (SEVERITY[d.decision.action] > SEVERITY[best.decision.action]) {
      d.decision.reasons.unshift(`${VIEW_REASONS[view.how]} before classifying`);
      best = d;
    }
  }
  return best;
}

/**
 * A segment of a model output this short cannot carry disallowed detail; the topic head over-reads
 * short chatty sentences ("Because they make up everything!" as prompt injection at level 3).
 */
const OUTPUT_SEGMENT_MIN_WORDS = 8;
const tooShortForContent = (s: string): boolean => s.split(/\s+/).filter(Boolean).length < OUTPUT_SEGMENT_MIN_WORDS;

/**
 * For a model output the topic must be the topic head's most likely class (it beats `none`). The
 * input threshold (recall first) reads everyday answers as "some topic" with the mass spread thin
 * ("any policy p=0.75" with no topic above 0.2); an answer that gives disallowed content is
 * squarely on its topic.
 */
const leadsOverNone = (p: TextPrediction): boolean => p.topics[0] !== undefined && p.topics[0].topic !== NONE;

/** A model output that itself refuses or deflects (response head, p >= 0.6) is not a violation. */
const declines = (r: { label: string; p: number } | null): boolean => r !== null && (r.label === 'refused' || r.label === 'deflected') && r.p >= 0.6;
/** A segment of a model output counts only when the response head reads the segment itself as
 * compliance (complied or partial, p >= 0.5): a refusal elsewhere in the answer does not excuse it,
 * and a fragment of a refusal is not read as compliance on a coin flip. */
const complies = (r: { label: string; p: number } | null): boolean => r !== null && (r.label === 'complied' || r.label === 'partial') && r.p >= 0.5;

/**
 * The segment whose ladder action is strictest, when it is stricter than `than`: a harmful request
 * padded with benign sentences is diluted in the whole text but not in its own sentence or window.
 * For a model output, only a segment that itself complies counts; a refusal elsewhere in the answer
 * does not excuse it.
 */
function strictestSegment(segments: SegmentPrediction[], opts: DecideOptions, caller: Caller, today: string, than: Action): { seg: SegmentPrediction; action: Action } | null {
  let best: { seg: SegmentPrediction; action: Action } | null = null;
  for (const seg of segments) {
    if (opts.role === 'output') {
      const text = opts.text.slice(seg.start, seg.end);
      if (!complies(seg.response) || tooShortForContent(text) || !leadsOverNone(opts.model.predict(text))) continue;
    }
    const found = policyFor(opts.pack, seg.topic, seg.level, caller, today);
    if (!found) continue;
    const action = found.eff.action;
    if (SEVERITY[action] <= SEVERITY[best?.action ?? than]) continue;
    best = { seg, action };
  }
  return best;
}

function decideText(opts: DecideOptions): DecideResult {
  const caller: Caller = opts.caller ?? { tier: 'public' };
  const today = (opts.now ?? new Date()).toISOString().slice(0, 10);
  const band = opts.band ?? [0.2, 0.55];
  // The embedded model scores the whole text and its segments from one tokenisation; for a model
  // output the same pass also reads the response head.
  const output = opts.role === 'output';
  // Segments cannot make a refusal stricter: when the whole text is refused (and, for an output,
  // does not itself decline), they are not scored.
  const enough = (whole: TextPrediction, r: ResponsePrediction | null): boolean =>
    whole.topic !== null && !(output && declines(r)) && policyFor(opts.pack, whole.topic, whole.level, caller, today)?.eff.action === 'refuse';
  const segmented = opts.model instanceof LinearModel ? opts.model.predictSegments(opts.text, { response: output, enough }) : null;
  const pred = segmented ? segmented.whole : opts.model.predict(opts.text);
  const reasons: string[] = [];
  let unsure = pred.topicScore >= band[0] && pred.topicScore <= band[1];
  let topic = pred.topic;
  if (topic !== null) {
    const p = pred.topics.find((t) => t.topic === topic)?.p ?? pred.topicScore;
    reasons.push(`topic ${topic} (p=${fmt(p)}, any policy p=${fmt(pred.topicScore)})`);
    reasons.push(`level ${pred.level} (p=${fmt(pred.levelScores[pred.level] ?? 0)})`);
  } else {
    reasons.push(`no policy topic (p=${fmt(1 - pred.topicScore)})`);
  }
  if (output && topic !== null) {
    // A model output that itself refuses or deflects is not a violation, whatever its topic.
    const r: ResponsePrediction = segmented?.response ?? opts.model.predictResponse(opts.text);
    if (declines(r)) {
      reasons.push(`output ${r.label} (p=${fmt(r.p)}): not a violation`);
      topic = null;
    } else if (!leadsOverNone(pred)) {
      reasons.push(`output: no topic beats none (${pred.topics[0]?.topic ?? 'none'} p=${fmt(pred.topics[0]?.p ?? 0)}), not a violation`);
      topic = null;
    } else if (policyFor(opts.pack, topic, pred.level, caller, today)?.eff.base === 'allow') {
      // An output is a violation only when its level warrants it: an answer the ladder allows at
      // this level (a joke read as self-harm at level 1) is not flagged with the topic.
      reasons.push(`output on ${topic} at level ${pred.level}: the ladder allows it, not a violation`);
      topic = null;
    }
  }
  let level = pred.level;
  let score = pred.topicScore;
  let explanation: () => string[] = () => pred.explanation;
  let segment: SegmentPrediction | undefined;
  if (segmented && segmented.flagged.length > 0) {
    const wholeAction = topic === null ? 'allow' : (policyFor(opts.pack, topic, pred.level, caller, today)?.eff.action ?? 'allow');
    const won = strictestSegment(segmented.flagged, opts, caller, today, wholeAction);
    if (won) {
      const { seg } = won;
      const whole = reasons.splice(0, reasons.length).map((r) => `whole text: ${r}`);
      reasons.push(
        `segment ${seg.start}-${seg.end} (${seg.kind}) decided: topic ${seg.topic} (any policy p=${fmt(seg.topicScore)}), level ${seg.level} (p=${fmt(seg.levelScores[seg.level] ?? 0)})${seg.response ? `, output ${seg.response.label} (p=${fmt(seg.response.p)})` : ''}`,
        ...whole,
      );
      segment = seg;
      topic = seg.topic;
      level = seg.level;
      score = seg.topicScore;
      unsure = score >= band[0] && score <= band[1];
      explanation = () => seg.explanation;
    }
  }
  if (unsure) reasons.push(`unsure: score ${fmt(score)} inside band [${band[0]}, ${band[1]}]`);
  const decision = decisionFor({
    pack: opts.pack,
    topic,
    level,
    score,
    caller,
    today,
    stage: 'embedded',
    reasons,
    text: opts.text,
    redact: opts.redact ?? [],
  });
  // Phrases are worth their cost when the decision is not a plain allow (a block, an exception,
  // an unsure call): the explanation pass re-reads the features, and most traffic is allowed.
  if (decision.topic !== null && (decision.action !== 'allow' || decision.exception || unsure)) {
    const phrases = explanation();
    if (phrases.length > 0) decision.reasons.splice(Math.min(2, decision.reasons.length), 0, `phrases: ${phrases.map((e) => `"${e}"`).join(', ')}`);
  }
  return { decision, prediction: pred, unsure, ...(segment ? { segment } : {}) };
}
