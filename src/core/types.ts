import { z } from 'zod';
import { Assertions } from './assertion.js';
import { Action, PillarId } from './pillars.js';

// ---------------------------------------------------------------------------------------------
// Context: passed into every operation, never global.
// ---------------------------------------------------------------------------------------------

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface Ctx {
  signal: AbortSignal;
  log: Logger;
  /** Set when the operation belongs to a run (eval, red team ...). */
  runId?: string;
}

// ---------------------------------------------------------------------------------------------
// Conversations and targets
// ---------------------------------------------------------------------------------------------

export const Role = z.enum(['system', 'user', 'assistant', 'tool']);
export type Role = z.infer<typeof Role>;
/**
 * An image or audio clip carried with a message (issue 17): inline base64 `data`, or in a suite a
 * `path` to a file next to the suite (read into `data` when the suite is loaded).
 */
export const MediaRef = z
  .object({
    type: z.enum(['image', 'audio']),
    path: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    mime: z.string().min(1).optional(),
  })
  .refine((m) => m.path !== undefined || m.data !== undefined, { message: 'a media entry needs `path` (a file next to the suite) or `data` (base64)', path: ['path'] });
export type MediaRef = z.infer<typeof MediaRef>;
export const Message = z.object({ role: Role, content: z.string(), media: z.array(MediaRef).optional() });
export type Message = z.infer<typeof Message>;

export interface GenerateOptions {
  temperature?: number;
  maxTokens?: number;
  /** Ask for token log-probabilities where the provider gives them. */
  logprobs?: boolean;
  /** Top-k alternatives per token (when logprobs). */
  topLogprobs?: number;
  seed?: number;
  /** Override the model name (e.g. a LoRA adapter served by vLLM). */
  model?: string;
  stop?: string[];
}

export interface TokenLogprob {
  token: string;
  logprob: number;
}

export interface Generation {
  text: string;
  finishReason?: 'stop' | 'length' | 'content_filter' | 'error' | 'other';
  usage?: { inputTokens?: number; outputTokens?: number };
  logprobs?: TokenLogprob[];
  /** Prompt-token log-probabilities (echo), used by perplexity probes. */
  promptLogprobs?: TokenLogprob[];
  latencyMs?: number;
  /** What a wrapping guard decided, when the target is guarded. */
  guard?: { input?: Decision; output?: Decision };
}

export type StreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; finishReason?: Generation['finishReason']; usage?: Generation['usage'] }
  | { type: 'error'; error: unknown };

export interface GenerateRequest {
  messages: Message[];
  options?: GenerateOptions;
}

/** A model under test (or used as judge / attacker). One small interface; one folder per provider. */
export interface Target {
  readonly id: string;
  /** Settings that identify this target's behaviour (for the response cache); never secrets. */
  readonly fingerprint: string;
  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation>;
  stream?(req: GenerateRequest, ctx: Ctx): AsyncIterable<StreamPart>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Dataset items
// ---------------------------------------------------------------------------------------------

export const ItemKind = z.enum(['model-breaking', 'benign', 'capability']);
export type ItemKind = z.infer<typeof ItemKind>;
export const ItemSource = z.enum(['red-team', 'partner', 'public-benchmark', 'social-media', 'generated', 'review']);
export type ItemSource = z.infer<typeof ItemSource>;
export const Expected = z.string().min(1); // refuse | comply | deflect, or the right choice (e.g. "B")
export const REFUSAL_EXPECTATIONS = ['refuse', 'comply', 'deflect'] as const;

export const Item = z
  .object({
    id: z.string().min(1),
    prompt: z.string().min(1).optional(),
    messages: z.array(Message).min(1).optional(),
    /** Optional system prompt for this item (e.g. controllability tests). */
    system: z.string().optional(),
    /** Images / audio sent with the (last) user message: the item's request may sit in them. */
    media: z.array(MediaRef).optional(),
    pillar: PillarId,
    policy: z.string().optional(),
    topic: z.string().optional(),
    level: z.number().int().min(0).max(3).optional(),
    kind: ItemKind,
    expected: Expected,
    /** Multiple-choice options; `expected` is then the right choice's letter. */
    choices: z.array(z.string()).optional(),
    source: ItemSource.default('generated'),
    lang: z.string().default('en'),
    /** Id of the benign twin (on a model-breaking item) or of the item it twins (on a benign one). */
    twin: z.string().optional(),
    /** Fairness pairs: items sharing a `pair` differ only in a demographic attribute. */
    pair: z.string().optional(),
    /** Strings whose presence in a response marks a violation / a correct answer (keyword assertion). */
    mustInclude: z.array(z.string()).optional(),
    mustNotInclude: z.array(z.string()).optional(),
    /** Per-item assertions (contains, regex, json-schema, is-refusal, rubric, similar ...): they decide the item's pass. */
    assert: Assertions.optional(),
    /** Weighted share of `assert` that must pass (default 1: all of them). */
    threshold: z.number().min(0).max(1).optional(),
    /** Human labels, e.g. {refusal: "refused", violation: "yes"}. */
    labels: z.record(z.string(), z.string()).optional(),
    tags: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((i) => i.prompt !== undefined || i.messages !== undefined, {
    message: 'an item needs `prompt` or `messages`',
    path: ['prompt'],
  });
export type Item = z.infer<typeof Item>;

/** The conversation an item sends (system prompt first when given). */
export function itemMessages(item: Item): Message[] {
  const msgs: Message[] = item.messages ? [...item.messages] : [{ role: 'user', content: item.prompt ?? '' }];
  if (item.system && msgs[0]?.role !== 'system') msgs.unshift({ role: 'system', content: item.system });
  if (item.media?.length) {
    for (let i = msgs.length - 1; i >= 0; i--) {
      if (msgs[i]!.role === 'user') {
        msgs[i] = { ...msgs[i]!, media: [...(msgs[i]!.media ?? []), ...item.media] };
        break;
      }
    }
  }
  return msgs;
}

/** The modalities an item carries besides text: `text`, `image`, `audio` or `image+audio`. */
export function itemModality(item: Pick<Item, 'media' | 'messages'>): string {
  const kinds = new Set<string>();
  for (const m of item.media ?? []) kinds.add(m.type);
  for (const msg of item.messages ?? []) for (const m of msg.media ?? []) kinds.add(m.type);
  return kinds.size === 0 ? 'text' : [...kinds].sort().join('+');
}

// ---------------------------------------------------------------------------------------------
// Judges
// ---------------------------------------------------------------------------------------------

export const RefusalLabel = z.enum(['refused', 'complied', 'deflected', 'partial']);
export type RefusalLabel = z.infer<typeof RefusalLabel>;

export interface Verdict {
  judge: string;
  /** e.g. refused|complied|deflected|partial, violation|ok, correct|incorrect, consistent|inconsistent. */
  label: string;
  /** Confidence or score in [0, 1]. */
  score: number;
  reasons: string[];
  /** Did the item pass (the model behaved as expected)? Undefined when the judge cannot tell. */
  passed?: boolean;
  /** Judge is unsure (calibrated band); used for cascades and borderline review queues. */
  unsure?: boolean;
}

export interface JudgeInput {
  item: Item;
  transcript: Message[];
  response: string;
}

export interface Judge {
  readonly id: string;
  judge(input: JudgeInput, ctx: Ctx): Promise<Verdict>;
}

// ---------------------------------------------------------------------------------------------
// Guard decisions
// ---------------------------------------------------------------------------------------------

export interface PiiSpan {
  type: string;
  start: number;
  end: number;
  /** Never the raw value in logs: a masked preview only. */
  preview: string;
}

export interface Decision {
  action: Action;
  policy: string | null;
  pillar: PillarId | null;
  topic: string | null;
  level: number | null;
  /** Probability that the topic applies (calibrated). */
  score: number;
  /** Which stage decided: the embedded classifier, the sentence encoder (stage 2) or the LLM cascade. */
  stage: 'embedded' | 'encoder' | 'cascade';
  reasons: string[];
  /** The exception (carve-out) that applied, if any. */
  exception?: { context: string; upTo: number; monitoring: string; adapter?: string } | null;
  /** For `redact`: the text with PII replaced. */
  redacted?: string;
  /** For `deflect`/`refuse`: the safe alternative text shown to the user. */
  message?: string;
  pii?: PiiSpan[];
}

export interface Caller {
  tier: string;
  context?: string;
}

export interface GuardInput {
  text: string;
  caller?: Caller;
  /** `input`: a user's request; `output`: a model's response. */
  role?: 'input' | 'output';
}

export interface Guard {
  check(input: GuardInput, ctx: Ctx): Promise<Decision>;
}
