import type { LoadedConfig } from '../../config/load.js';
import type { Target } from '../../core/types.js';
import { configuredGuard, createGuard, guardFingerprint, type GuardOptions, type PolicyGuard } from '../../guard/index.js';
import type { PolicyPack } from '../../policy/schema.js';
import type { GuardProvider } from './index.js';

/**
 * Where `guard` targets and `guard: true` compositions get their guard. The CLI passes the one
 * guard it built from pillars.yaml (`configuredGuard`); `buildTargets` builds that same configured
 * guard itself when it is not given one.
 */

/** The guard pillars.yaml describes, for the targets of that configuration (the cascade may use them). */
export function configGuardProvider(config: LoadedConfig, deps: { pack?: PolicyPack; targets: () => Map<string, Target> | undefined }): GuardProvider {
  return configuredGuard(config, deps);
}

/**
 * A guard from options rather than a configuration (library use: `buildTargets({config, guard:
 * guardProvider({pack, model})})`). Built on first use; its fingerprint covers the pack, the model's
 * hash and the settings.
 */
export function guardProvider(opts: GuardOptions): GuardProvider & { guard(): PolicyGuard } {
  let g: PolicyGuard | null = null;
  let fingerprint: string | null = null;
  const guard = (): PolicyGuard => (g ??= createGuard(opts));
  return {
    guard,
    get fingerprint(): string {
      const built = guard();
      return (fingerprint ??= guardFingerprint(built.pack, built.modelHash, {
        band: opts.band ?? null,
        failClosed: opts.failClosed ?? true,
        redact: opts.redact ?? null,
        cascade: opts.cascade ? { target: opts.cascade.target.fingerprint, budgetMs: opts.cascade.budgetMs, band: opts.cascade.band ?? null } : null,
      }));
    },
  };
}

/** The embedded guard with the shipped model and default settings for a pack. */
export function packGuardProvider(pack: PolicyPack): GuardProvider {
  return guardProvider({ pack });
}
