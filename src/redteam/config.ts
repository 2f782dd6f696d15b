import { z } from 'zod';
import { section, type LoadedConfig } from '../config/load.js';

/**
 * `redteam:` in pillars.yaml (every field optional; flags override):
 *
 *   redteam:
 *     strategies: [base64+roleplay, crescendo, pair]
 *     mode: collaborate
 *     attacker: attacker-model          # a target id
 *     budget: { turns: 300, tokens: 200000, money: 5 }
 *     pricePer1kTokens: 0.01
 *     rounds: 2
 *     defender: { system: "You are a helpful assistant...", guard: off }
 *     retune: [system, guard]           # what may change between rounds
 *     suites: [model-breaking]
 */
export const RedteamConfig = z
  .object({
    strategies: z.array(z.string().min(1)).min(1).optional(),
    mode: z.enum(['compete', 'collaborate']).default('collaborate'),
    attacker: z.string().min(1).optional(),
    budget: z
      .object({ turns: z.number().int().positive().optional(), tokens: z.number().int().positive().optional(), money: z.number().positive().optional() })
      .strict()
      .default({ turns: 200 }),
    pricePer1kTokens: z.number().min(0).optional(),
    rounds: z.number().int().min(1).max(10).default(1),
    maxSteps: z.number().int().min(1).max(50).default(4),
    defender: z.object({ system: z.string().optional(), guard: z.enum(['off', 'input', 'output', 'both']).optional() }).strict().optional(),
    retune: z.array(z.enum(['system', 'guard'])).default(['system']),
    suites: z.array(z.string().min(1)).default(['model-breaking']),
    seedsPerPolicy: z.number().int().min(0).max(100).default(3),
  })
  .strict()
  .prefault({});
export type RedteamConfig = z.infer<typeof RedteamConfig>;

export function loadRedteamConfig(config: LoadedConfig): RedteamConfig {
  return section(config, 'redteam', RedteamConfig);
}
