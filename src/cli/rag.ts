import { existsSync } from 'node:fs';
import { section, type LoadedConfig } from '../config/load.js';
import { UserError } from '../core/errors.js';
import type { Guard, Target } from '../core/types.js';
import type { GatewayExtension } from '../gateway/extensions.js';
import { groundingExtension } from '../gateway/grounding.js';
import { ScopeConfig, scopeExtension } from '../gateway/scope.js';
import { CategoriesConfig, loadCategoryModels, withCategories } from '../guard/categories.js';
import { createLlmGroundingJudge, GroundingConfig } from '../grounding/index.js';
import { createScopeScorer, type ScopeScorer } from '../grounding/scope.js';
import type { PolicyPack } from '../policy/schema.js';
import { buildTargets } from '../targets/index.js';

/**
 * Wiring of issue 18 part B for `pillars serve` (and `guard classify`): grounding policies and
 * scope bindings become gateway extensions, the pack's plain-words categories wrap the guard.
 * Each is inert unless its section (or pack section) is there.
 */

export interface RagWiring {
  extensions: GatewayExtension[];
  /** The guard with the pack's categories behind it (the guard itself without categories). */
  wrapGuard<G extends Guard>(g: G): G;
  /** Load encoder weights before the first request (scope with the encoder). */
  warm(): Promise<void>;
}

export function wireRag(config: LoadedConfig, pack: PolicyPack): RagWiring {
  const grounding = section(config, 'grounding', GroundingConfig.prefault({}));
  const scope = section(config, 'scope', ScopeConfig.prefault({}));
  const cats = section(config, 'categories', CategoriesConfig.prefault({}));
  let targets: Map<string, Target> | null = null;
  const target = (id: string, where: string): Target => {
    targets ??= buildTargets({ config, pack });
    const t = targets.get(id);
    if (!t) throw new UserError(`${where}: no target "${id}" is configured (targets: ${[...targets.keys()].join(', ') || 'none'})`, { code: 'config' });
    return t;
  };
  const extensions: GatewayExtension[] = [];
  const scorers = new Map<string, ScopeScorer>();
  if (scope.bindings.length) {
    const defs = new Map((pack.scopes ?? []).map((s) => [s.id, s]));
    for (const b of scope.bindings) {
      const def = defs.get(b.scope);
      if (!def) throw new UserError(`scope.bindings: the pack has no scope "${b.scope}" (it defines: ${[...defs.keys()].join(', ') || 'none'})`, { code: 'config' });
      if (!scorers.has(def.id)) scorers.set(def.id, createScopeScorer(def, { embedder: scope.embedder, band: scope.band, judge: scope.judge ? { target: target(scope.judge.target, 'scope.judge.target'), budgetMs: scope.judge.budgetMs } : undefined }));
    }
    extensions.push(scopeExtension(scope.bindings, scorers));
  }
  if (grounding.policies.length) {
    const judge = grounding.judge ? createLlmGroundingJudge(target(grounding.judge.target, 'grounding.judge.target'), { budgetMs: grounding.judge.budgetMs }) : undefined;
    extensions.push(groundingExtension(grounding, { judge, band: grounding.judge?.band }));
  }
  const categories = pack.categories ?? [];
  const modelPath = config.resolve(cats.model);
  return {
    extensions,
    wrapGuard<G extends Guard>(g: G): G {
      if (categories.length === 0) return g;
      const wrapped = withCategories(g, {
        categories,
        judge: cats.judge ? { target: target(cats.judge.target, 'categories.judge.target'), budgetMs: cats.judge.budgetMs } : undefined,
        log: config.resolve(cats.log),
        models: existsSync(modelPath) ? loadCategoryModels(modelPath) : undefined,
        ruleOut: cats.ruleOut,
        failClosed: cats.failClosed,
      });
      // The same guard (its model, stage 2, classifyResponse ...) with the categories' check in front.
      return Object.assign(Object.create(g) as G, { check: wrapped.check, categoryStats: wrapped.stats });
    },
    async warm() {
      for (const s of scorers.values()) await s.warm();
    },
  };
}
