import { z } from 'zod';
import { defineTarget } from '../entry.js';
import { common } from '../schema-common.js';
import { ExecTarget } from './index.js';

/** `type: exec`: A local program that reads the conversation on stdin and answers on stdout. */
export const ExecTargetConfig = z
  .object({
    ...common,
    type: z.literal('exec'),
    /** The program and its arguments; it reads {"messages": [...], "options": {...}} on stdin and writes the answer on stdout. */
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
    cwd: z.string().optional(),
    /** Parse stdout as JSON and take this dotted path (default: the whole stdout is the answer). */
    responsePath: z.string().optional(),
  })
  .strict();
export type ExecTargetConfig = z.infer<typeof ExecTargetConfig>;

export const execTarget = defineTarget({
  type: 'exec',
  schema: ExecTargetConfig,
  create: (cfg, deps) => new ExecTarget(cfg, cfg.cwd ? deps.resolve(cfg.cwd) : deps.resolve('.')),
});
