import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { ProviderTargetConfig, type TargetConfig } from './config.js';
import { closest } from '../core/suggest.js';

/**
 * `--target PROVIDER:MODEL` without a config file: `openai:gpt-4o-mini`, `anthropic:claude-…`,
 * `bedrock:anthropic.claude-…`, `ollama:llama3.1:8b`, `vllm:MODEL`, `openai-compatible:MODEL`,
 * `gguf:PATH`. The base URL comes from `--base-url`, else the provider's usual environment variable;
 * keys are read from the usual variables at request time (only their names are recorded).
 */

export const SHORTHAND_PROVIDERS = ['openai', 'anthropic', 'bedrock', 'ollama', 'vllm', 'openai-compatible', 'gguf'] as const;
export type ShorthandProvider = (typeof SHORTHAND_PROVIDERS)[number];

export interface ShorthandContext {
  /** `--base-url` (wins over the environment). */
  baseUrl?: string;
  env: Record<string, string | undefined>;
  /** Folder relative gguf paths resolve against (the current directory). */
  cwd: string;
}

const usage = (message: string): UserError => new UserError(message, { code: 'usage' });

/** `PROVIDER:MODEL` when the part before the first colon looks like a provider name (letters, digits, -). */
export function looksLikeShorthand(ref: string): boolean {
  return /^[a-z][a-z0-9-]*:./i.test(ref);
}

function ollamaUrl(host: string | undefined): string {
  if (!host) return 'http://127.0.0.1:11434/v1';
  const withScheme = /^[a-z]+:\/\//i.test(host) ? host : `http://${host}`;
  const u = withScheme.replace(/\/+$/, '');
  return /\/v1$/.test(u) ? u : `${u}/v1`;
}

/** The environment variable holding a key, when it is set (a local server needs none). */
const keyIfSet = (env: ShorthandContext['env'], ...names: string[]): string | undefined => names.find((n) => env[n]);

export function parseTargetShorthand(ref: string, ctx: ShorthandContext): TargetConfig {
  const i = ref.indexOf(':');
  const provider = ref.slice(0, i).toLowerCase();
  const model = ref.slice(i + 1).trim();
  if (!(SHORTHAND_PROVIDERS as readonly string[]).includes(provider)) {
    const near = closest(provider, SHORTHAND_PROVIDERS);
    throw usage(`--target ${ref}: unknown provider "${provider}"${near ? ` (did you mean "${near}:"?)` : ''} (known: ${SHORTHAND_PROVIDERS.map((p) => `${p}:`).join(', ')}; or a target id from pillars.yaml)`);
  }
  if (!model) throw usage(`--target ${ref}: name a model after "${provider}:"`);
  const env = ctx.env;
  // The id is the reference itself (characters an id may not hold become _).
  const id = ref.replace(/[^A-Za-z0-9_.:@/-]/g, '_');
  let raw: Record<string, unknown>;
  switch (provider as ShorthandProvider) {
    case 'openai': {
      const baseUrl = ctx.baseUrl ?? env.OPENAI_BASE_URL;
      // The real OpenAI API needs a key (a clear error names the variable); a local server may not.
      raw = { id, type: 'openai', model, ...(baseUrl ? { baseUrl } : {}), apiKeyEnv: !baseUrl || env.OPENAI_API_KEY ? 'OPENAI_API_KEY' : undefined };
      break;
    }
    case 'anthropic': {
      const baseUrl = ctx.baseUrl ?? env.ANTHROPIC_BASE_URL;
      raw = { id, type: 'anthropic', model, apiKeyEnv: 'ANTHROPIC_API_KEY', ...(baseUrl ? { baseUrl } : {}) };
      break;
    }
    case 'bedrock': {
      if (ctx.baseUrl) throw usage(`--target ${ref}: --base-url does not apply to bedrock (set AWS_REGION and the AWS_* credentials)`);
      const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      raw = { id, type: 'bedrock', model, ...(region ? { region } : {}) };
      break;
    }
    case 'ollama':
      raw = { id, type: 'openai', model, baseUrl: ctx.baseUrl ?? ollamaUrl(env.OLLAMA_HOST) };
      break;
    case 'vllm':
    case 'openai-compatible': {
      const baseUrl = ctx.baseUrl ?? (provider === 'vllm' ? (env.VLLM_BASE_URL ?? env.OPENAI_BASE_URL ?? 'http://127.0.0.1:8000/v1') : env.OPENAI_BASE_URL);
      if (!baseUrl) throw usage(`--target ${ref}: give the server's URL with --base-url URL or OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)`);
      raw = { id, type: 'openai', model, baseUrl, apiKeyEnv: provider === 'vllm' ? keyIfSet(env, 'VLLM_API_KEY', 'OPENAI_API_KEY') : keyIfSet(env, 'OPENAI_API_KEY') };
      break;
    }
    case 'gguf':
      if (ctx.baseUrl) throw usage(`--target ${ref}: --base-url does not apply to a local gguf file`);
      raw = { id, type: 'gguf', path: isAbsolute(model) ? model : resolve(ctx.cwd, model) };
      break;
  }
  const parsed = ProviderTargetConfig.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    throw usage(`--target ${ref}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'target'}: ${x.message}`).join('; ')}`);
  }
  return parsed.data;
}
