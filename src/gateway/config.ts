import { z } from 'zod';
import { AlignConfig } from '../align/config.js';
import { ChecksConfig, EscalationConfig, ShadowConfig, ToolsConfig, TraceConfig } from './rails-config.js';

/**
 * The `gateway:` section of pillars.yaml. Parsed with `section(cfg, 'gateway', GatewayConfig)`;
 * every field has a default so an empty (or absent) section gives a working gateway.
 */

export const RateLimit = z
  .object({
    /** Sustained rate per key (token bucket refill). */
    requestsPerMinute: z.number().positive(),
    /** Bucket size: how many requests may arrive at once. Default: a tenth of a minute's worth, at least 1. */
    burst: z.number().int().positive().optional(),
  })
  .strict();
export type RateLimit = z.infer<typeof RateLimit>;

export const AnomalyConfig = z
  .object({
    /** Requests at or above this specificity level count toward a burst. */
    level: z.number().int().min(0).max(3).default(2),
    /** This many such requests from one key within `windowSeconds` raise a flag. */
    count: z.number().int().positive().default(5),
    windowSeconds: z.number().positive().default(60),
  })
  .strict();
export type AnomalyConfig = z.infer<typeof AnomalyConfig>;

/** Roles whose messages are the caller's request (the rest of a conversation is its context). */
export const DEFAULT_REQUEST_ROLES = ['system', 'developer', 'user', 'tool', 'function'];

/** Policies that do not apply to a role's text (see `input.exempt`). */
export const DEFAULT_EXEMPT: Record<string, string[]> = { system: ['controllability.prompt_injection'], developer: ['controllability.prompt_injection'] };

export const InputConfig = z
  .object({
    /**
     * Roles whose messages in the current turn (after the last assistant message; system and
     * developer messages anywhere) are the caller's request. Every other message (assistant
     * turns, earlier turns) is context. Every message is read either way.
     */
    requestRoles: z.array(z.string().min(1)).default(DEFAULT_REQUEST_ROLES),
    /**
     * How context is decided: `same` (default: with the request's rule, nothing is left unread),
     * `refuse-only` (context blocks only on a refusal; deflections of earlier turns do not repeat),
     * `off` (context is not checked; PII in it is still redacted).
     */
    context: z.enum(['same', 'refuse-only', 'off']).default('same'),
    /** Also decide on the request's messages joined (a request split across messages). */
    joined: z.boolean().default(true),
    /** Read the descriptions of the request's `tools` / `functions`. */
    tools: z.boolean().default(true),
    /**
     * Policies that do not apply to a role's text. By default the instruction-hierarchy policy
     * does not apply to system and developer messages: they are the instructions it protects
     * ("You are a helpful assistant for ..." is not an attack there). Their other sentences are
     * still decided one by one.
     */
    exempt: z.record(z.string(), z.array(z.string().min(1))).default(DEFAULT_EXEMPT),
    /** A file part whose text the gateway cannot read (binary, a PDF, a `file_id`): `reject` (400) or `forward` unread. */
    unreadableFiles: z.enum(['reject', 'forward']).default('reject'),
    /**
     * The most characters of text one request may ask the gateway to read (every message, part,
     * tool call and tool description together): more is answered 413 `payload_too_large` before
     * any guard work. Per tier in `maxCharsByTier`; this is the limit of tiers it does not name.
     */
    maxChars: z.number().int().positive().default(262_144),
    maxCharsByTier: z.record(z.string(), z.number().int().positive()).default({}),
  })
  .strict();
export type InputConfig = z.infer<typeof InputConfig>;

export const StreamConfig = z
  .object({
    /** Streamed text is released in windows of at most this many characters, ending at a sentence boundary. */
    windowChars: z.number().int().min(16).optional(),
    /** Each check also reads this many characters already released before the window (context). */
    overlapChars: z.number().int().min(0).default(100),
    /** A window is released only once this many characters after it arrived and were checked with it. */
    lookaheadChars: z.number().int().min(0).default(100),
  })
  .strict();
export type StreamConfig = z.infer<typeof StreamConfig>;

/** The default stream window (characters). */
export const STREAM_WINDOW = 300;

export const GatewayConfig = z
  .object({
    /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (a URL without a path gets /v1). */
    upstream: z.string().url().optional(),
    /** Name of the environment variable holding the upstream's API key (sent as Bearer). Never the key itself. */
    upstreamApiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    /** Processes sharing the port (`pillars serve --workers`). Rate limits and metrics are per process. */
    workers: z.number().int().min(1).max(64).default(1),
    timeouts: z
      .object({
        /** Time to the upstream's response headers (and between body chunks). */
        upstreamMs: z.number().int().positive().default(60_000),
        /** Time to receive a client's request body. */
        requestMs: z.number().int().positive().default(30_000),
        /** Budget for one guard check (the cascade may ask an LLM). */
        guardMs: z.number().int().positive().default(5_000),
        /**
         * Longest a streamed answer may run in total (an upstream that keeps dripping resets the
         * between-chunks timeout forever): then the stream ends with an error event, audited.
         */
        streamMs: z.number().int().positive().default(300_000),
      })
      .strict()
      .default({ upstreamMs: 60_000, requestMs: 30_000, guardMs: 5_000, streamMs: 300_000 }),
    /** Readiness (`/readyz`, `/healthz`): how long an upstream probe may take, and how long its answer is reused. */
    health: z
      .object({
        probeMs: z.number().int().positive().default(1_000),
        cacheMs: z.number().int().min(0).default(2_000),
      })
      .strict()
      .default({ probeMs: 1_000, cacheMs: 2_000 }),
    /**
     * Guard work is done in slices of at most this many milliseconds, with the event loop free
     * between them (health checks and other requests are answered while a large text is read).
     */
    guardSliceMs: z.number().positive().default(10),
    /** Largest accepted request body, in bytes. */
    bodyLimit: z.number().int().positive().default(1_048_576),
    /**
     * Request bodies held at once (bytes, by Content-Length; a chunked body counts as `bodyLimit`):
     * past this budget a request is answered 503 `overloaded` (Retry-After) without being read,
     * so a flood of large requests cannot grow memory without bound.
     */
    bodyBudget: z.number().int().positive().default(33_554_432),
    /** When the guard itself fails: refuse (true, default) or forward unchecked (false). */
    failClosed: z.boolean().default(true),
    /** Check the model's output too (non-streamed and streamed). */
    checkOutput: z.boolean().default(true),
    /** Deprecated alias of `stream.windowChars` (used when `stream.windowChars` is not set). */
    streamWindow: z.number().int().min(16).optional(),
    input: InputConfig.prefault({}),
    /** Images and audio mapped into text before the guard (src/align/config.ts). */
    align: AlignConfig.prefault({}),
    /** Guard decisions remembered by text (clients resend their history): this many entries, for ten minutes; 0: off. */
    decisionCache: z.number().int().min(0).default(4096),
    stream: StreamConfig.prefault({}),
    /** Tiers with heavy monitoring (full capture, rate limits, anomaly flags). Default: every tier but `public`. */
    trustedTiers: z.array(z.string().min(1)).optional(),
    /** Per-tier rate limits (per key; per client address for `public`). */
    rateLimits: z.record(z.string(), RateLimit).default({}),
    /**
     * Redis shared by gateway instances (`redis://host:6379/0`): per-key rate limits then hold
     * across all of them. Absent: each process limits on its own (in memory).
     */
    redis: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** The limit a trusted tier gets when `rateLimits` names none for it (`false`: none). */
    trustedRateLimit: z.union([RateLimit, z.literal(false)]).default({ requestsPerMinute: 600, burst: 100 }),
    anomaly: AnomalyConfig.default({ level: 2, count: 5, windowSeconds: 60 }),
    /** Runtime guardrails (rails-config.ts): tool rules, conversation escalation, shadow mode, traces, extra checks. */
    tools: ToolsConfig.prefault({}),
    escalation: EscalationConfig.prefault({}),
    shadow: ShadowConfig.prefault({}),
    trace: TraceConfig.prefault({}),
    checks: ChecksConfig.prefault({}),
    audit: z
      .object({
        /** Flush the audit queue every this many milliseconds ... */
        flushMs: z.number().int().positive().default(5),
        /** ... or as soon as this many records wait. */
        batchSize: z.number().int().positive().default(256),
        /**
         * When audit records cannot be written (store read-only, locked, disk full): `reject`
         * (default) answers every request that would be decided with 503 `audit_unavailable`
         * until a write succeeds again (no decision without its record); `queue` keeps serving
         * and holds the records in memory. Either way records still unwritten at shutdown make
         * the exit non-zero, naming how many.
         */
        onFailure: z.enum(['reject', 'queue']).default('reject'),
        /**
         * Signed checkpoints of the chain head (Ed25519, `pillars audit anchor`): after `every`
         * records, or `seconds` after the last one when records were added, and on shutdown.
         * `keyFile`: the signing key, created 0600 on first use (default: beside the store).
         * Absent: on with the defaults; `false`: off.
         */
        anchor: z
          .union([
            z.literal(false),
            z
              .object({
                every: z.number().int().positive().default(1000),
                seconds: z.number().positive().default(60),
                keyFile: z.string().min(1).optional(),
              })
              .strict(),
          ])
          .optional(),
      })
      .strict()
      .default({ flushMs: 5, batchSize: 256, onFailure: 'reject' }),
  })
  .strict();
export type GatewayConfig = z.infer<typeof GatewayConfig>;
export type GatewayConfigInput = z.input<typeof GatewayConfig>;

/** The stream window in effect: `stream.windowChars`, else the deprecated `streamWindow`, else 300. */
export function streamWindow(cfg: GatewayConfig): number {
  return cfg.stream.windowChars ?? cfg.streamWindow ?? STREAM_WINDOW;
}

/** Parse a (possibly partial) gateway configuration; throws a ZodError on bad input. */
export function gatewayConfig(input: GatewayConfigInput = {}): GatewayConfig {
  return GatewayConfig.parse(input);
}
