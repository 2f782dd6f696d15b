import { Agent, request, type Dispatcher } from 'undici';
import { PillarsError, TargetError } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Message, TokenLogprob } from '../../core/types.js';
import type { OpenAITargetConfig } from './entry.js';
import type { ProbeableTarget } from '../types.js';
import { fingerprintOf, HttpTargetError, networkError, readKey, retryAfterMs, snippet } from '../util.js';

/**
 * Any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp server, TGI, LM Studio,
 * OpenAI). A lean undici client rather than the AI SDK provider: the benchmark (docs/targets.md)
 * measured the AI SDK's per-request overhead above the 1.5x budget at concurrency 64, and this
 * client also passes `logprobs`/`top_logprobs` and `seed` straight through.
 */

interface ChatResponse {
  choices?: {
    message?: { content?: string | null };
    finish_reason?: string | null;
    logprobs?: { content?: { token: string; logprob: number }[] | null } | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

const AUDIO_FORMATS: Record<string, string> = { 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/flac': 'flac', 'audio/ogg': 'ogg', 'audio/webm': 'webm', 'audio/mp4': 'm4a' };

/** A message as the chat API takes it: with media, content parts (`image_url` data URLs, `input_audio`). */
export function wireMessage(m: Message): Record<string, unknown> {
  if (!m.media?.length) return { role: m.role, content: m.content };
  const parts: Record<string, unknown>[] = m.content ? [{ type: 'text', text: m.content }] : [];
  for (const x of m.media) {
    if (x.data === undefined) throw new TargetError(`media ${x.path ?? ''} was not loaded (a suite's media files are read when the suite is opened)`, { isRetryable: false });
    if (x.type === 'image') parts.push({ type: 'image_url', image_url: { url: `data:${x.mime ?? 'image/png'};base64,${x.data}` } });
    else parts.push({ type: 'input_audio', input_audio: { data: x.data, format: AUDIO_FORMATS[x.mime ?? ''] ?? 'wav' } });
  }
  return { role: m.role, content: parts };
}

const FINISH: Record<string, Generation['finishReason']> = { stop: 'stop', length: 'length', content_filter: 'content_filter' };

export class OpenAITarget implements ProbeableTarget {
  readonly id: string;
  readonly fingerprint: string;
  private readonly url: string;
  private readonly dispatcher: Dispatcher;
  /** The headers every request sends, built once (undici does not modify a request's headers object). */
  private readonly baseHeaders: Readonly<Record<string, string>>;

  constructor(private readonly cfg: OpenAITargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
    this.url = `${cfg.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
    this.baseHeaders = Object.freeze({ 'content-type': 'application/json', ...(cfg.headers ?? {}) });
  }

  /** The key is read from the environment on every request, as before: a key set or rotated later is used. */
  private headers(): Record<string, string> {
    if (!this.cfg.apiKeyEnv) return this.baseHeaders;
    const key = readKey(this.id, this.cfg.apiKeyEnv, true);
    return key ? { ...this.baseHeaders, authorization: `Bearer ${key}` } : this.baseHeaders;
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const o = { ...this.cfg.options, ...req.options };
    const body: Record<string, unknown> = { model: o.model ?? this.cfg.model, messages: req.messages.map(wireMessage) };
    if (o.temperature !== undefined) body.temperature = o.temperature;
    if (o.maxTokens !== undefined) body.max_tokens = o.maxTokens;
    if (o.seed !== undefined) body.seed = o.seed;
    if (o.stop?.length) body.stop = o.stop;
    if (o.logprobs) {
      body.logprobs = true;
      if (o.topLogprobs !== undefined) body.top_logprobs = o.topLogprobs;
    }
    const t0 = performance.now();
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await request(this.url, { method: 'POST', headers: this.headers(), body: JSON.stringify(body), signal: ctx.signal, dispatcher: this.dispatcher });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      text = await res.body.text();
    } catch (e) {
      throw networkError(this.id, e, ctx.signal);
    }
    if (status >= 400) {
      throw new HttpTargetError(`target ${this.id}: HTTP ${status} from ${this.url}: ${snippet(text)}`, { status, retryAfterMs: retryAfterMs(retryAfter) });
    }
    let json: ChatResponse;
    try {
      json = JSON.parse(text) as ChatResponse;
    } catch {
      throw new TargetError(`target ${this.id}: the server answered with something that is not JSON: ${snippet(text)}`, { status, isRetryable: true });
    }
    const choice = json.choices?.[0];
    if (!choice) throw new TargetError(`target ${this.id}: the response has no choices: ${snippet(text)}`, { status, isRetryable: false });
    const gen: Generation = {
      text: choice.message?.content ?? '',
      finishReason: FINISH[choice.finish_reason ?? ''] ?? 'other',
      latencyMs: Math.round(performance.now() - t0),
    };
    if (json.usage) gen.usage = { inputTokens: json.usage.prompt_tokens, outputTokens: json.usage.completion_tokens };
    const lp = choice.logprobs?.content;
    if (lp) gen.logprobs = lp.map((t): TokenLogprob => ({ token: t.token, logprob: t.logprob }));
    return gen;
  }

  /** One GET of /models: any HTTP answer proves the server is reachable. */
  async probe(ctx: Ctx): Promise<void> {
    const url = `${this.cfg.baseUrl.replace(/\/+$/, '')}/models`;
    try {
      const res = await request(url, { method: 'GET', headers: this.headers(), signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]), dispatcher: this.dispatcher });
      await res.body.dump();
      if (res.statusCode === 401 || res.statusCode === 403) {
        throw new PillarsError(`target ${this.id}: ${this.cfg.baseUrl} refused the credentials (HTTP ${res.statusCode}); check ${this.cfg.apiKeyEnv ?? 'apiKeyEnv'}`, { code: 'target_unreachable', exitCode: 2 });
      }
    } catch (e) {
      if (e instanceof PillarsError && e.code === 'target_unreachable') throw e;
      if (e instanceof TargetError && !e.isRetryable) throw new PillarsError(e.message, { code: 'target_unreachable', exitCode: 2 });
      const err = networkError(this.id, e);
      throw new PillarsError(`target ${this.id} is unreachable at ${this.cfg.baseUrl}: ${err.message.replace(`target ${this.id}: `, '')}`, { code: 'target_unreachable', exitCode: 2, cause: e });
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
