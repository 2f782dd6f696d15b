import { z } from 'zod';

/**
 * Per-item assertions (`assert:` on a suite item, or on a suite in pillars.yaml), like promptfoo's:
 * each checks the response one way, carries a weight, and the item passes when the weighted share
 * of passing assertions reaches the item's `threshold` (default 1: every assertion must pass).
 * The checks themselves live in src/eval/assertions.ts.
 */

export const ASSERTION_TYPES = ['contains', 'not-contains', 'regex', 'equals', 'json-schema', 'is-refusal', 'not-refusal', 'rubric', 'similar', 'grounded', 'relevant'] as const;
export type AssertionType = (typeof ASSERTION_TYPES)[number];

/** Types whose `value` is required, and what it must be. */
const NEEDS_VALUE: Partial<Record<AssertionType, string>> = {
  contains: 'a string or a list of strings',
  'not-contains': 'a string or a list of strings',
  regex: 'a regular expression (a string, optionally /pattern/flags)',
  equals: 'the expected text, or a JSON value the response must equal',
  'json-schema': 'a JSON Schema object',
  rubric: 'the rubric text the response is graded against',
  similar: 'the reference text',
};

export const Assertion = z
  .object({
    type: z.enum(ASSERTION_TYPES),
    value: z.unknown().optional(),
    /** Share of the item's score this assertion carries (default 1; 0 = informational). */
    weight: z.number().min(0).default(1),
    /** `similar`: lowest cosine similarity that passes (default 0.5); `rubric`: lowest grade that passes (default 0.5); `grounded` / `relevant`: lowest grounding (default 0.5) / relevance (default 0.2). */
    threshold: z.number().min(0).max(1).optional(),
    /** `contains` / `not-contains` / `equals`: compare case-sensitively (default: no). */
    caseSensitive: z.boolean().optional(),
    /** `rubric`: the id of the target that grades (default: judges.llm.target). */
    target: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const need = NEEDS_VALUE[a.type];
    // `grounded` / `relevant`: the sources may be given as `value` (strings); else the item's meta.sources and tool messages.
    if (a.type === 'grounded' || a.type === 'relevant') {
      if (a.value !== undefined && !(Array.isArray(a.value) && a.value.every((s) => typeof s === 'string'))) ctx.addIssue({ code: 'custom', path: ['value'], message: `${a.type}: \`value\` is optional: the sources, a list of strings` });
      return;
    }
    if (need === undefined) {
      if (a.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `${a.type} takes no value` });
      return;
    }
    const v = a.value;
    const isText = typeof v === 'string' && v.length > 0;
    const ok =
      a.type === 'contains' || a.type === 'not-contains'
        ? isText || (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0))
        : a.type === 'json-schema'
          ? v !== null && typeof v === 'object' && !Array.isArray(v)
          : a.type === 'equals'
            ? v !== undefined
            : isText;
    if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message: `${a.type} needs \`value\`: ${need}` });
    if (a.type === 'regex' && isText) {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(v);
      try {
        new RegExp(m ? m[1]! : v, m ? m[2] : undefined);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `regex: ${(e as Error).message}` });
      }
    }
  });
export type Assertion = z.infer<typeof Assertion>;
export type AssertionInput = z.input<typeof Assertion>;

export const Assertions = z.array(Assertion).min(1);

/** The judge name of an assertion's verdict (`assert:<type>`) and of the item's combined result. */
export const ASSERT_PREFIX = 'assert:';
export const ASSERTIONS_JUDGE = 'assertions';
