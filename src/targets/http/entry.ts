import { z } from 'zod';
import { defineTarget, deferred } from '../entry.js';
import { apiKeyEnv, common } from '../schema-common.js';
import { fingerprintOf } from '../util.js';

/** `type: http`: Any JSON HTTP endpoint (request template and response path), loaded on first use. */
export const HttpTargetConfig = z
  .object({
    ...common,
    type: z.literal('http'),
    url: z.string().url(),
    method: z.enum(['POST', 'PUT']).default('POST'),
    headers: z.record(z.string(), z.string()).optional(),
    apiKeyEnv,
    /** Header that carries the key (value `Bearer <key>` for authorization). */
    apiKeyHeader: z.string().default('authorization'),
    /** JSON request body; strings "{{messages}}", "{{prompt}}", "{{system}}", "{{temperature}}", "{{maxTokens}}" are replaced. */
    body: z.unknown().default({ messages: '{{messages}}' }),
    /** Dotted path to the answer text in the response JSON, e.g. choices.0.message.content. */
    responsePath: z.string().min(1),
  })
  .strict();
export type HttpTargetConfig = z.infer<typeof HttpTargetConfig>;

export const httpTarget = defineTarget({
  type: 'http',
  schema: HttpTargetConfig,
  create: (cfg) => deferred(cfg.id, fingerprintOf(cfg), async () => new (await import('./index.js')).HttpTarget(cfg)),
});
