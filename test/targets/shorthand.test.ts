import { describe, expect, it } from 'vitest';
import { looksLikeShorthand, parseTargetShorthand } from '../../src/targets/shorthand.js';

const p = (ref: string, env: Record<string, string> = {}, baseUrl?: string) => parseTargetShorthand(ref, { env, baseUrl, cwd: '/work' });

describe('--target PROVIDER:MODEL', () => {
  it('maps each provider to a target config, base URL from the flag first, then the environment', () => {
    expect(p('openai:gpt-4o-mini')).toMatchObject({ id: 'openai:gpt-4o-mini', type: 'openai', model: 'gpt-4o-mini', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' });
    // A local server named by OPENAI_BASE_URL needs no key.
    expect(p('openai:m', { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' })).not.toHaveProperty('apiKeyEnv');
    expect(p('openai:m', { OPENAI_BASE_URL: 'http://a/v1' }, 'http://b/v1')).toMatchObject({ baseUrl: 'http://b/v1' });
    expect(p('anthropic:claude-3-5-haiku-latest')).toMatchObject({ type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' });
    expect(p('bedrock:anthropic.claude-3-haiku-20240307-v1:0', { AWS_REGION: 'eu-west-1' })).toMatchObject({ type: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'eu-west-1' });
    expect(p('ollama:llama3.1:8b')).toMatchObject({ type: 'openai', model: 'llama3.1:8b', baseUrl: 'http://127.0.0.1:11434/v1' });
    expect(p('ollama:qwen', { OLLAMA_HOST: 'gpu-box:11434' })).toMatchObject({ baseUrl: 'http://gpu-box:11434/v1' });
    expect(p('vllm:meta/llama', { VLLM_API_KEY: 'x' })).toMatchObject({ baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_API_KEY' });
    expect(p('openai-compatible:m', { OPENAI_BASE_URL: 'http://h:1/v1' })).toMatchObject({ type: 'openai', baseUrl: 'http://h:1/v1' });
    expect(p('gguf:models/tiny.gguf')).toMatchObject({ type: 'gguf', path: '/work/models/tiny.gguf' });
  });

  it('gives usage errors: unknown provider (listing the known ones), missing model or base URL, bad URL', () => {
    expect(() => p('openia:gpt')).toThrow(/unknown provider "openia" \(did you mean "openai:"\?\) \(known: openai:, anthropic:, bedrock:, ollama:, vllm:, openai-compatible:, gguf:/);
    expect(() => p('openai-compatible:m')).toThrow(/--base-url/);
    expect(() => p('openai:m', {}, 'not a url')).toThrow(/baseUrl/);
    expect(() => p('gguf:x.gguf', {}, 'http://h/v1')).toThrow(/does not apply/);
    expect(looksLikeShorthand('my-target')).toBe(false);
    expect(looksLikeShorthand('openai:x')).toBe(true);
  });
});
