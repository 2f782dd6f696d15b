import { createAmazonBedrock, type AmazonBedrockProviderSettings } from '@ai-sdk/amazon-bedrock';
import type { Ctx, GenerateRequest, Generation, Target } from '../../core/types.js';
import { aiSdkGenerate } from '../aisdk.js';
import type { BedrockTargetConfig } from './entry.js';
import { fingerprintOf } from '../util.js';

type CredentialProvider = NonNullable<AmazonBedrockProviderSettings['credentialProvider']>;

/**
 * Amazon Bedrock's Converse API through the AI SDK provider. Credentials: when the optional
 * `@aws-sdk/credential-providers` package is installed, the standard AWS chain (env, profiles,
 * SSO, instance roles); otherwise the AWS_* environment variables.
 */
export class BedrockTarget implements Target {
  readonly id: string;
  readonly fingerprint: string;
  private provider: ReturnType<typeof createAmazonBedrock> | null = null;

  constructor(private readonly cfg: BedrockTargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
  }

  private async chainProvider(): Promise<CredentialProvider | undefined> {
    const name = '@aws-sdk/credential-providers';
    try {
      const mod = (await import(name)) as { fromNodeProviderChain?: () => () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> };
      const chain = mod.fromNodeProviderChain?.();
      return chain ? async () => chain() : undefined;
    } catch {
      return undefined;
    }
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    if (!this.provider) {
      const credentialProvider = process.env.AWS_ACCESS_KEY_ID ? undefined : await this.chainProvider();
      this.provider = createAmazonBedrock({ region: this.cfg.region, ...(credentialProvider ? { credentialProvider } : {}) });
    }
    return aiSdkGenerate(this.id, this.provider(this.cfg.model), this.cfg.options, req, ctx);
  }
}
