import type { z } from 'zod';
import type { Ctx, GenerateRequest, Generation, Target } from '../core/types.js';
import type { GuardProvider } from './guard/index.js';
import { hasProbe } from './types.js';

/**
 * A target provider as the registry sees it: its `type:` name, the zod schema of its `targets:`
 * entry, and `create`, which makes the target. Each provider folder exports one entry from its
 * `entry.ts`; `registry.ts` lists them. Providers with heavy dependencies (the AI SDK, undici,
 * node-llama-cpp) load their implementation on first use with `deferred`, so that commands which
 * never call them (and `pillars --version`) do not pay for them.
 */
export interface TargetEntry<S extends z.ZodType = z.ZodType> {
  type: string;
  schema: S;
  create(cfg: z.infer<S>, deps: CreateTargetDeps): Target;
}

export interface CreateTargetDeps {
  /** Resolve a relative path against the config's folder. */
  resolve: (p: string) => string;
  /** Another target by id (for `wraps`). */
  lookup: (id: string) => Target;
  guard?: GuardProvider;
}

/** Typed helper for a provider's entry (keeps its schema's exact type for the union of configs). */
export function defineTarget<S extends z.ZodType>(entry: TargetEntry<S>): TargetEntry<S> {
  return entry;
}

/** A target whose implementation module is imported on its first request (or probe). */
class DeferredTarget implements Target {
  private inner: Target | null = null;
  private loading: Promise<Target> | null = null;
  constructor(
    readonly id: string,
    readonly fingerprint: string,
    private readonly load: () => Promise<Target>,
  ) {}

  private target(): Promise<Target> {
    this.loading ??= this.load().then((t) => (this.inner = t));
    return this.loading;
  }

  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    if (this.inner) return this.inner.generate(req, ctx);
    return this.target().then((t) => t.generate(req, ctx));
  }

  async probe(ctx: Ctx): Promise<void> {
    const t = await this.target();
    if (hasProbe(t)) await t.probe(ctx);
  }

  async close(): Promise<void> {
    await this.inner?.close?.();
  }
}

/** A target with a known id and fingerprint whose implementation is imported when first used. */
export function deferred(id: string, fingerprint: string, load: () => Promise<Target>): Target {
  return new DeferredTarget(id, fingerprint, load);
}
