import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PillarsError, TargetError } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation, Message } from '../../core/types.js';
import type { GgufTargetConfig } from './entry.js';
import type { ProbeableTarget } from '../types.js';
import { fingerprintOf, lastUserText } from '../util.js';

/**
 * A local GGUF model file on the CPU through node-llama-cpp, loaded lazily on first use.
 * node-llama-cpp is an optional dependency: its prebuilt llama.cpp binaries come from the npm
 * registry with it (`@node-llama-cpp/<platform>` packages). Pillars only uses those binaries
 * (`build: 'never'`): nothing is downloaded or compiled at run time; without a prebuilt binary for
 * the platform the target fails with that reason. Requests to one model run one at a time (one
 * context sequence). Threads default to all cores but one: llama.cpp's worker threads spin, and on
 * a machine whose every core is busy (the harness judges and stores while the model generates)
 * spinning threads slow generation down by orders of magnitude.
 */

/** Tokens generated when neither the request nor the target's options set maxTokens. */
export const GGUF_DEFAULT_MAX_TOKENS = 512;

type ChatItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface LlamaSession {
  setChatHistory(h: ChatItem[]): void;
  prompt(text: string, o: { temperature?: number; maxTokens?: number; seed?: number; signal?: AbortSignal; customStopTriggers?: string[] }): Promise<string>;
}
interface LlamaModule {
  getLlama(o?: { gpu?: false | 'auto'; build?: 'never'; usePrebuiltBinaries?: boolean; skipDownload?: boolean; progressLogs?: boolean; logLevel?: 'error' | 'warn' }): Promise<{ loadModel(o: { modelPath: string; gpuLayers?: number }): Promise<LlamaModel> }>;
  LlamaChatSession: new (o: { contextSequence: unknown }) => LlamaSession;
}
interface LlamaModel {
  createContext(o: { contextSize?: number; threads?: number }): Promise<{ getSequence(): unknown }>;
}

async function loadModule(id: string): Promise<LlamaModule> {
  const name = 'node-llama-cpp';
  try {
    return (await import(name)) as LlamaModule;
  } catch (e) {
    throw new PillarsError(`target ${id} (type gguf) needs node-llama-cpp, an optional dependency that is not installed here: run "npm install node-llama-cpp" (its prebuilt binaries come from the npm registry)`, { code: 'target_unreachable', exitCode: 2, cause: e });
  }
}

export class GgufTarget implements ProbeableTarget {
  readonly id: string;
  readonly fingerprint: string;
  private session: Promise<LlamaSession> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly cfg: GgufTargetConfig) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
  }

  private open(): Promise<LlamaSession> {
    this.session ??= (async () => {
      if (!existsSync(this.cfg.path)) throw new PillarsError(`target ${this.id}: model file ${this.cfg.path} not found`, { code: 'target_unreachable', exitCode: 2 });
      const mod = await loadModule(this.id);
      let llama: Awaited<ReturnType<LlamaModule['getLlama']>>;
      try {
        // Prebuilt binaries only: never download llama.cpp or compile it at run time.
        llama = await mod.getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false, logLevel: 'error' });
      } catch (e) {
        throw new PillarsError(`target ${this.id}: node-llama-cpp has no usable prebuilt llama.cpp binary for ${process.platform}-${process.arch} (${(e as Error).message.split('\n')[0]}); Pillars does not build one at run time`, { code: 'target_unreachable', exitCode: 2, cause: e });
      }
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath: this.cfg.path, gpuLayers: this.cfg.gpuLayers });
      } catch (e) {
        throw new PillarsError(`target ${this.id}: cannot load ${this.cfg.path}: ${(e as Error).message.split('\n')[0]}`, { code: 'target_unreachable', exitCode: 2, cause: e });
      }
      const threads = this.cfg.threads ?? Math.max(1, availableParallelism() - 1);
      const context = await model.createContext({ contextSize: this.cfg.contextSize, threads });
      return new mod.LlamaChatSession({ contextSequence: context.getSequence() });
    })();
    return this.session;
  }

  async probe(): Promise<void> {
    await this.open();
  }

  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const run = this.queue.then(() => this.generateNow(req, ctx));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const session = await this.open();
    const o = { ...this.cfg.options, ...req.options };
    const history: ChatItem[] = [];
    const msgs: Message[] = req.messages;
    const lastUser = msgs.map((m) => m.role).lastIndexOf('user');
    msgs.forEach((m, i) => {
      if (i === lastUser) return;
      if (m.role === 'system') history.push({ type: 'system', text: m.content });
      else if (m.role === 'assistant') history.push({ type: 'model', response: [m.content] });
      else if (i < lastUser) history.push({ type: 'user', text: m.content });
    });
    session.setChatHistory(history);
    const t0 = performance.now();
    try {
      const text = await session.prompt(lastUserText(msgs), { temperature: o.temperature, maxTokens: o.maxTokens ?? GGUF_DEFAULT_MAX_TOKENS, seed: o.seed, signal: ctx.signal, customStopTriggers: o.stop });
      return { text, finishReason: 'stop', latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      throw new TargetError(`target ${this.id}: ${(e as Error).message}`, { isRetryable: false, cause: e });
    }
  }
}

