import { section, type LoadedConfig } from '../config/load.js';
import { PillarsError, UserError, type Problem } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { Ctx, GenerateRequest, Generation, Target } from '../core/types.js';
import { ComposedTarget } from './compose.js';
import { isComposed, TargetsSection, type GenOptions, type TargetConfig } from './config.js';
import type { GuardProvider } from './guard/index.js';
import type { CreateTargetDeps } from './entry.js';
import { TARGET_TYPES, targetEntry } from './registry.js';
import { configGuardProvider } from './guard/provider.js';
import { hasProbe } from './types.js';
import type { PolicyPack } from '../policy/schema.js';

export * from './config.js';
export { ComposedTarget } from './compose.js';
export { parseTargetShorthand, looksLikeShorthand, SHORTHAND_PROVIDERS, type ShorthandContext } from './shorthand.js';
export { type GuardProvider, REFUSAL_TEXT, DEFLECT_TEXT, COMPLY_TEXT } from './guard/index.js';
export { packGuardProvider, guardProvider, configGuardProvider } from './guard/provider.js';
export { hasProbe, type ProbeableTarget } from './types.js';
export { fingerprintOf, stableStringify, sha256 } from './util.js';

/** The built-in target: the embedded guard as the system under test (used when the config has none). */
export const BUILTIN_GUARD_TARGET: TargetConfig = { id: 'guard', type: 'guard' };

/** Runner settings of a target (rate limits, retries, samples, default options). */
export interface TargetSettings {
  rpm?: number;
  tpm?: number;
  timeoutMs?: number;
  maxRetries?: number;
  samples?: number;
  options?: GenOptions;
}

/** The configured targets, validated (ids unique, `wraps` known, no cycles), plus the built-in `guard`. */
/** `type: openia` is a typo, not "Invalid input": name the field, the closest type and the known ones. */
function unknownTypes(config: LoadedConfig): void {
  const raw = config.raw.targets;
  if (!Array.isArray(raw)) return;
  const problems: Problem[] = [];
  raw.forEach((t: unknown, i) => {
    const type = t && typeof t === 'object' ? (t as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || TARGET_TYPES.includes(type)) return;
    const near = closest(type, TARGET_TYPES);
    problems.push({ ...config.locate(['targets', i, 'type']), message: `targets.${i}.type: unknown target type "${type}"${near ? ` (did you mean "${near}"?)` : ''}; known types: ${TARGET_TYPES.join(', ')}` });
  });
  if (problems.length) throw new UserError(`${config.file ?? '<defaults>'}: invalid targets`, { code: 'config', problems });
}

export function targetConfigs(config: LoadedConfig): TargetConfig[] {
  unknownTypes(config);
  const list = section(config, 'targets', TargetsSection);
  const problems: Problem[] = [];
  const ids = new Map<string, number>();
  list.forEach((t, i) => {
    if (ids.has(t.id)) problems.push({ ...config.locate(['targets', i, 'id']), message: `targets.${i}.id: duplicate target id "${t.id}"` });
    ids.set(t.id, i);
  });
  list.forEach((t, i) => {
    if (!isComposed(t)) return;
    if (!ids.has(t.wraps)) problems.push({ ...config.locate(['targets', i, 'wraps']), message: `targets.${i}.wraps: no target with id "${t.wraps}"` });
    const seen = new Set([t.id]);
    let cur: TargetConfig | undefined = t;
    while (cur && isComposed(cur)) {
      if (seen.has(cur.wraps)) {
        problems.push({ ...config.locate(['targets', i, 'wraps']), message: `targets.${i}.wraps: "${t.id}" wraps itself through "${cur.wraps}"` });
        break;
      }
      seen.add(cur.wraps);
      cur = list[ids.get(cur.wraps) ?? -1];
    }
  });
  if (problems.length) throw new UserError(`${config.file ?? '<defaults>'}: invalid targets`, { code: 'config', problems });
  return ids.has('guard') ? list : [...list, BUILTIN_GUARD_TARGET];
}

export function settingsOf(cfg: TargetConfig): TargetSettings {
  return { rpm: cfg.rpm, tpm: cfg.tpm, timeoutMs: cfg.timeoutMs, maxRetries: cfg.maxRetries, samples: cfg.samples, options: cfg.options };
}

/** The configuration of a target with no secrets (there are none in it: keys are named by `apiKeyEnv`). */
export function publicConfig(cfg: TargetConfig): Record<string, unknown> {
  const c: Record<string, unknown> = { ...cfg };
  if (c.headers && typeof c.headers === 'object') c.headers = Object.fromEntries(Object.keys(c.headers).map((k) => [k, '[redacted]']));
  return c;
}

export type { CreateTargetDeps, TargetEntry } from './entry.js';
export { defineTarget, deferred } from './entry.js';
export { TARGET_ENTRIES, TARGET_TYPES, targetEntry } from './registry.js';

/**
 * Construct one provider through its registered entry (no I/O until the first request, except
 * reading a replay file's digest; heavy provider modules are imported on first use).
 */
export function createTarget(cfg: TargetConfig, deps: CreateTargetDeps): Target {
  if (isComposed(cfg)) {
    if (cfg.guard && !deps.guard) throw new PillarsError(`target ${cfg.id}: guard: true needs the embedded guard, which is not available`, { code: 'config', exitCode: 2 });
    return new ComposedTarget(cfg, deps.lookup(cfg.wraps), deps.guard ?? null);
  }
  return targetEntry(cfg.type).create(cfg, deps);
}

/** Defers construction of a provider to its first use. */
class LazyTarget implements Target {
  private inner: Target | null = null;
  constructor(readonly id: string, private readonly make: () => Target) {}
  get target(): Target {
    this.inner ??= this.make();
    return this.inner;
  }
  get fingerprint(): string {
    return this.target.fingerprint;
  }
  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    return this.target.generate(req, ctx);
  }
  async probe(ctx: Ctx): Promise<void> {
    const t = this.target;
    if (hasProbe(t)) await t.probe(ctx);
  }
  async close(): Promise<void> {
    await this.inner?.close?.();
  }
}

export interface BuildTargetsInput {
  config: LoadedConfig;
  /** The policy pack (default: the configured one), for the guard built when `guard` is not given. */
  pack?: PolicyPack;
  /**
   * The guard of `guard` targets and `guard: true` compositions. Default: the guard pillars.yaml
   * describes (`guard:` section), built on first use. Pass the one guard the rest of the command
   * uses so that there is exactly one.
   */
  guard?: GuardProvider;
}

/** Every configured target by id, constructed lazily on first use. */
export function buildTargets(input: BuildTargetsInput): Map<string, Target> {
  const cfgs = targetConfigs(input.config);
  const byId = new Map(cfgs.map((c) => [c.id, c]));
  const map = new Map<string, Target>();
  const guard = input.guard ?? configGuardProvider(input.config, { pack: input.pack, targets: () => map });
  const lookup = (id: string): Target => {
    const t = map.get(id);
    if (!t) throw new UserError(`unknown target "${id}" (configured: ${[...byId.keys()].join(', ')})`, { code: 'config' });
    return t;
  };
  for (const cfg of cfgs) {
    map.set(cfg.id, new LazyTarget(cfg.id, () => createTarget(cfg, { resolve: input.config.resolve, lookup, guard })));
  }
  return map;
}

/** Probe a target (and what it wraps) once: fails fast with a clear message when it is unreachable. */
export async function probeTarget(t: Target, cfgs: Map<string, TargetConfig>, targets: Map<string, Target>, ctx: Ctx): Promise<void> {
  const cfg = cfgs.get(t.id);
  if (cfg && isComposed(cfg)) {
    const inner = targets.get(cfg.wraps);
    if (inner) await probeTarget(inner, cfgs, targets, ctx);
    return;
  }
  if (hasProbe(t)) await t.probe(ctx);
}
