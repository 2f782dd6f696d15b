import { PillarsError } from '../../core/errors.js';
import type { Ctx, Decision, Guard, GuardInput } from '../../core/types.js';
import type { PolicyPack } from '../../policy/schema.js';
import { sha256, stableStringify } from '../util.js';
import type { GuardProvider } from './index.js';

interface GuardModule {
  createGuard(opts: { pack: PolicyPack }): Guard;
}

/**
 * The embedded guard for a policy pack, built on first use (the classifier model loads only when a
 * guard target or a `guard: true` composition is actually asked something).
 */
export function packGuardProvider(pack: PolicyPack): GuardProvider {
  let loaded: Promise<Guard> | null = null;
  const load = (): Promise<Guard> =>
    (loaded ??= (async () => {
      const spec = '../../guard/index.js';
      try {
        const mod = (await import(spec)) as GuardModule;
        return mod.createGuard({ pack });
      } catch (e) {
        throw new PillarsError(`the embedded guard could not be loaded: ${(e as Error).message}`, { code: 'internal', cause: e });
      }
    })());
  const guard: Guard = {
    async check(input: GuardInput, ctx: Ctx): Promise<Decision> {
      return (await load()).check(input, ctx);
    },
  };
  return { fingerprint: `guard#${sha256(stableStringify(pack)).slice(0, 16)}`, guard: () => guard };
}
