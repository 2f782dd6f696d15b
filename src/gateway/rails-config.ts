import { z } from 'zod';

/**
 * The runtime guardrails' sections of `gateway:` (issue 18, part A): tool rules, conversation
 * escalation, shadow mode, traces and the extra checks (invisible Unicode, URLs, response
 * formats, languages). Every section is off (or inert) unless configured.
 */

/** One tool rule: a tool name (or `*`), argument patterns, and what to do with a call that matches. */
export const ToolRule = z
  .object({
    /** The function name, or `*` for any tool. */
    name: z.string().min(1),
    /**
     * Argument patterns: argument name (a top-level key of the call's JSON arguments) → a regular
     * expression its value (as text) must match in full. A call whose arguments miss a pattern
     * does not match this rule (the next rule is tried).
     */
    args: z.record(z.string(), z.string()).default({}),
    /** `allow`: forward; `refuse`: replace the answer by a refusal; `approve`: hold the call for a human reviewer. */
    action: z.enum(['allow', 'refuse', 'approve']).default('allow'),
  })
  .strict();
export type ToolRule = z.infer<typeof ToolRule>;

export const ToolsConfig = z
  .object({
    /** Rules per tier, tried in order; the first whose name and argument patterns match decides. */
    byTier: z.record(z.string(), z.array(ToolRule)).default({}),
    /** Rules per API key id (`key_…`), tried before the tier's. */
    byKey: z.record(z.string(), z.array(ToolRule)).default({}),
    /** What a call no rule matches gets, for a caller that has rules (callers without rules: `allow`). */
    otherwise: z.enum(['allow', 'refuse', 'approve']).default('refuse'),
    /** Decide tool-call arguments for instruction injection too (the guard reads them as input). */
    injection: z.boolean().default(true),
    /** Held calls: how long the gateway waits for a reviewer before refusing, and how often it looks. */
    approval: z
      .object({
        timeoutMs: z.number().int().positive().default(300_000),
        pollMs: z.number().int().positive().default(250),
        /** Store the held call's arguments with PII redacted (default) or as sent (`false`: the reviewer sees the account number they approve). */
        redact: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ToolsConfig = z.infer<typeof ToolsConfig>;

export const EscalationConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** The header naming a conversation; without it, the conversation is the hash of the messages before the last user turn. */
    header: z.string().min(1).default('x-pillars-conversation'),
    /** Steps of a conversation kept (the trajectory is scored over them). */
    window: z.number().int().min(2).max(64).default(8),
    /** How much of the recent rise of level counts on top of the current level (0: none; 1: a full step per step of rise). */
    momentum: z.number().min(0).max(4).default(0.5),
    /** Conversations remembered (least recently used are forgotten) ... */
    maxConversations: z.number().int().positive().default(10_000),
    /** ... for this long since their last step. */
    ttlSeconds: z.number().positive().default(3600),
  })
  .strict();
export type EscalationConfig = z.infer<typeof EscalationConfig>;

export const ShadowConfig = z
  .object({
    /** Policies decided in shadow (monitor-only): blocking decisions are logged and annotated, never enforced. `*`: all. */
    policies: z.array(z.string().min(1)).default([]),
    /** API key ids whose requests are only monitored. */
    keys: z.array(z.string().min(1)).default([]),
    /** Tiers whose requests are only monitored. */
    tiers: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ShadowConfig = z.infer<typeof ShadowConfig>;

export const TraceConfig = z
  .object({
    /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. Absent: traces are off. */
    endpoint: z.string().url().optional(),
    serviceName: z.string().min(1).default('pillars-gateway'),
    /** Extra headers for the collector (values are read from these environment variables, never written here). */
    headersEnv: z.record(z.string(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default({}),
  })
  .strict();
export type TraceConfig = z.infer<typeof TraceConfig>;

export const ChecksConfig = z
  .object({
    /** Invisible Unicode (tag characters, bidi controls, zero-width): `strip` from forwarded text and answers, and flag; `flag` only; `off`. */
    invisible: z.enum(['strip', 'flag', 'off']).default('strip'),
    urls: z
      .object({
        /** Domains links in answers and tool arguments may point to (a domain allows its subdomains). Empty: any domain. */
        allow: z.array(z.string().min(1)).default([]),
        /** A markdown image (`![..](url)`) whose URL carries a query or is not on the allow-list: exfiltration. */
        images: z.enum(['refuse', 'allow']).default('refuse'),
        /** What a link to a domain off the allow-list gets. */
        action: z.enum(['refuse', 'annotate']).default('refuse'),
      })
      .strict()
      .prefault({}),
    /** Validate answers against the request's `response_format` JSON schema: `refuse` an answer that does not conform, `annotate`, or `off`. */
    responseFormat: z.enum(['refuse', 'annotate', 'off']).default('annotate'),
    languages: z
      .object({
        /** ISO 639-1 codes requests and answers may be in. Empty: any language. */
        allow: z.array(z.string().regex(/^[a-z]{2}$/)).default([]),
        /** What a request in a language off the list gets. */
        action: z.enum(['deflect', 'refuse', 'annotate']).default('deflect'),
        /** Texts shorter than this are not identified (too little evidence). */
        minChars: z.number().int().min(1).default(24),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ChecksConfig = z.infer<typeof ChecksConfig>;
