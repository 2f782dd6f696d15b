import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The module map of docs/architecture.md, enforced: which feature folders each folder under src/
 * may import. Data flows one way; only cli/ (and the review web app, a composition surface) wires
 * features together. Changing this table means changing the architecture page too.
 */
const ALLOWED: Record<string, string[]> = {
  core: [],
  policy: ['core'],
  config: ['core'],
  store: ['core'],
  classifier: ['core', 'policy'],
  guard: ['core', 'policy', 'config', 'classifier'],
  gateway: ['core', 'policy', 'store', 'guard', 'config', 'grounding', 'align'],
  align: ['core'],
  grounding: ['core', 'config', 'policy', 'classifier'],
  integrations: ['core'],
  targets: ['core', 'policy', 'config', 'guard', 'align'],
  datasets: ['core', 'config'],
  judges: ['core', 'policy', 'classifier', 'targets'],
  eval: ['core', 'config', 'store', 'judges', 'targets', 'datasets', 'reports', 'policy', 'grounding'],
  reports: ['core'],
  compare: ['core'],
  attacks: ['core'],
  redteam: ['core', 'policy', 'config', 'store', 'attacks', 'judges', 'targets', 'datasets', 'reports'],
  deception: ['core', 'judges', 'targets', 'config'],
  frontier: ['core', 'config', 'store', 'judges', 'targets', 'reports'],
  rewards: ['core', 'policy', 'config', 'classifier', 'guard', 'judges', 'targets'],
  data: ['core', 'policy', 'config', 'store', 'classifier', 'guard', 'judges', 'targets'],
  review: ['core', 'policy', 'config', 'store', 'eval', 'compare', 'frontier', 'gateway', 'judges', 'reports'],
};

const SRC = join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('architecture: imports between feature folders follow docs/architecture.md', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory() && n !== 'cli');

  it('every folder under src/ is in the module map', () => {
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('no folder imports a feature it may not', () => {
    const bad: string[] = [];
    for (const folder of folders) {
      for (const file of files(join(SRC, folder))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
          const target = relative(SRC, join(file, '..', m[1]!)).split(sep)[0]!;
          if (target === folder || target.startsWith('..') || target.endsWith('.js')) continue;
          if (target === 'cli') bad.push(`${relative(SRC, file)} imports cli/`);
          else if (!(ALLOWED[folder] ?? []).includes(target)) bad.push(`${relative(SRC, file)} imports ${target}/`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
