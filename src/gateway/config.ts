import { z } from 'zod';

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
      })
      .strict()
      .default({ upstreamMs: 60_000, requestMs: 30_000, guardMs: 5_000 }),
    /** Largest accepted request body, in bytes. */
    bodyLimit: z.number().int().positive().default(1_048_576),
    /** When the guard itself fails: refuse (true, default) or forward unchecked (false). */
    failClosed: z.boolean().default(true),
    /** Check the model's output too (non-streamed and streamed). */
    checkOutput: z.boolean().default(true),
    /** Streamed output is held back and checked every this many characters (and at the end). */
    streamWindow: z.number().int().min(16).default(256),
    /** Tiers with heavy monitoring (full capture, rate limits, anomaly flags). Default: every tier but `public`. */
    trustedTiers: z.array(z.string().min(1)).optional(),
    /** Per-tier rate limits (per key; per client address for `public`). */
    rateLimits: z.record(z.string(), RateLimit).default({}),
    /** The limit a trusted tier gets when `rateLimits` names none for it (`false`: none). */
    trustedRateLimit: z.union([RateLimit, z.literal(false)]).default({ requestsPerMinute: 600, burst: 100 }),
    anomaly: AnomalyConfig.default({ level: 2, count: 5, windowSeconds: 60 }),
    audit: z
      .object({
        /** Flush the audit queue every this many milliseconds ... */
        flushMs: z.number().int().positive().default(5),
        /** ... or as soon as this many records wait. */
        batchSize: z.number().int().positive().default(256),
      })
      .strict()
      .default({ flushMs: 5, batchSize: 256 }),
  })
  .strict();
export type GatewayConfig = z.infer<typeof GatewayConfig>;
export type GatewayConfigInput = z.input<typeof GatewayConfig>;

/** Parse a (possibly partial) gateway configuration; throws a ZodError on bad input. */
export function gatewayConfig(input: GatewayConfigInput = {}): GatewayConfig {
  return GatewayConfig.parse(input);
}
