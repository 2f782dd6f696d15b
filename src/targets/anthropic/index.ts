import { createAnthropic } from '@ai-sdk/anthropic';
import type { Ctx, GenerateRequest, Generation, Target } from '../../core/types.js';
import { aiSdkGenerate } from '../aisdk.js';
import type { AnthropicTargetConfig } from './entry.js';
import { fingerprintOf, readKey } from '../util.js';

/** Anthropic's Messages API through the AI SDK provider. The key comes from `apiKeyEnv` (default ANTHROPIC_API_KEY). */
export class AnthropicTarget implements Target {
  readonly id: string;
  readonly fingerprint: string;
  constructor(private readonly cfg: AnthropicTargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
  }

  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const apiKey = readKey(this.id, this.cfg.apiKeyEnv ?? 'ANTHROPIC_API_KEY', true);
    const provider = createAnthropic({ apiKey, baseURL: this.cfg.baseUrl });
    return aiSdkGenerate(this.id, provider(this.cfg.model), this.cfg.options, req, ctx);
  }
}
