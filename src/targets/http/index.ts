import { Agent, request, type Dispatcher } from 'undici';
import { PillarsError, TargetError } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Message } from '../../core/types.js';
import type { HttpTargetConfig } from './entry.js';
import type { ProbeableTarget } from '../types.js';
import { fingerprintOf, getPath, HttpTargetError, lastUserText, networkError, readKey, retryAfterMs, snippet } from '../util.js';

/**
 * Any JSON endpoint: `body` is a JSON template whose strings may hold placeholders. A string that is
 * exactly "{{messages}}" becomes the messages array; "{{prompt}}" the last user message;
 * "{{system}}" the system prompt; "{{temperature}}"/"{{maxTokens}}" numbers. Placeholders inside
 * longer strings are substituted as text. `responsePath` picks the answer out of the response JSON.
 */

export function renderTemplate(tpl: unknown, messages: Message[], opts: { temperature?: number; maxTokens?: number }): unknown {
  const values: Record<string, unknown> = {
    messages,
    prompt: lastUserText(messages),
    system: messages.find((m) => m.role === 'system')?.content ?? '',
    temperature: opts.temperature ?? null,
    maxTokens: opts.maxTokens ?? null,
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*(\w+)\s*\}\}$/.exec(v);
      if (whole && whole[1]! in values) return values[whole[1]!];
      return v.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => {
        if (!(k in values)) return m;
        const x = values[k];
        return typeof x === 'string' ? x : JSON.stringify(x);
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(tpl);
}

export class HttpTarget implements ProbeableTarget {
  readonly id: string;
  readonly fingerprint: string;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly cfg: HttpTargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
    this.dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', ...(this.cfg.headers ?? {}) };
    const key = readKey(this.id, this.cfg.apiKeyEnv, true);
    if (key) h[this.cfg.apiKeyHeader.toLowerCase()] = this.cfg.apiKeyHeader.toLowerCase() === 'authorization' ? `Bearer ${key}` : key;
    return h;
  }

  async generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const o = { ...this.cfg.options, ...req.options };
    const body = JSON.stringify(renderTemplate(this.cfg.body, req.messages, o));
    const t0 = performance.now();
    let status: number;
    let text: string;
    let retry: string | string[] | undefined;
    try {
      const res = await request(this.cfg.url, { method: this.cfg.method, headers: this.headers(), body, signal: ctx.signal, dispatcher: this.dispatcher });
      status = res.statusCode;
      retry = res.headers['retry-after'];
      text = await res.body.text();
    } catch (e) {
      throw networkError(this.id, e, ctx.signal);
    }
    if (status >= 400) throw new HttpTargetError(`target ${this.id}: HTTP ${status}: ${snippet(text)}`, { status, retryAfterMs: retryAfterMs(retry) });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TargetError(`target ${this.id}: the response is not JSON: ${snippet(text)}`, { isRetryable: false });
    }
    const answer = getPath(json, this.cfg.responsePath);
    if (answer === undefined || answer === null) {
      throw new TargetError(`target ${this.id}: nothing at responsePath "${this.cfg.responsePath}" in ${snippet(text)}`, { isRetryable: false });
    }
    return { text: typeof answer === 'string' ? answer : JSON.stringify(answer), finishReason: 'stop', latencyMs: Math.round(performance.now() - t0) };
  }

  /** Opens a connection to the endpoint's origin: any HTTP answer (even 404/405) proves it is up. */
  async probe(ctx: Ctx): Promise<void> {
    try {
      const res = await request(new URL(this.cfg.url).origin, { method: 'HEAD', signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]), dispatcher: this.dispatcher });
      await res.body.dump();
    } catch (e) {
      throw new PillarsError(`target ${this.id} is unreachable at ${this.cfg.url}: ${networkError(this.id, e).message.replace(`target ${this.id}: `, '')}`, { code: 'target_unreachable', exitCode: 2, cause: e });
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
