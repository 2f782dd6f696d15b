import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireRag } from '../../src/cli/rag.js';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/core/errors.js';
import { loadPack } from '../../src/policy/load.js';
import { ACME, tempDir } from './helpers.js';

/** pillars.yaml sections grounding / scope / categories become extensions and a wrapped guard; mistakes are named. */
describe('issue 18 wiring from pillars.yaml', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
    writeFileSync(
      join(tmp.dir, 'pack.yaml'),
      `${readFileSync(ACME, 'utf8')}
scopes:
  - id: billing
    description: Billing questions.
    examples: [Why was I charged twice?]
    deflection: Billing only, sorry.
`,
    );
  });
  afterAll(() => tmp.cleanup());

  const write = (yaml: string): string => {
    const f = join(tmp.dir, `pillars-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `policy: pack.yaml\n${yaml}`);
    return f;
  };

  it('builds nothing without the sections', () => {
    const config = loadConfig({ config: write('') });
    const w = wireRag(config, loadPack(config.policyPath).pack);
    expect(w.extensions).toEqual([]);
  });

  it('builds the scope and grounding extensions', () => {
    const config = loadConfig({ config: write('scope:\n  embedder: lexical\n  bindings: [{scope: billing, models: [billing-bot]}]\ngrounding:\n  policies: [{id: rag, action: refuse}]\n') });
    const w = wireRag(config, loadPack(config.policyPath).pack);
    expect(w.extensions.map((e) => e.name)).toEqual(['scope', 'grounding']);
  });

  it('names an unknown scope, a bad action and a judge target that is not configured', () => {
    const pack = (c: ReturnType<typeof loadConfig>) => loadPack(c.policyPath).pack;
    const c1 = loadConfig({ config: write('scope:\n  bindings: [{scope: nope, keys: [key_1]}]\n') });
    expect(() => wireRag(c1, pack(c1))).toThrow(/the pack has no scope "nope" \(it defines: billing\)/);
    const c2 = loadConfig({ config: write('grounding:\n  policies: [{id: rag, action: shout}]\n') });
    const e2 = (() => {
      try {
        wireRag(c2, pack(c2));
      } catch (e) {
        return e as UserError;
      }
      return null;
    })();
    expect(e2).toBeInstanceOf(UserError);
    expect(JSON.stringify(e2!.problems)).toMatch(/grounding\.policies\.0\.action/);
    const c3 = loadConfig({ config: write('grounding:\n  judge: {target: missing}\n  policies: [{id: rag}]\n') });
    expect(() => wireRag(c3, pack(c3))).toThrow(/grounding\.judge\.target: no target "missing"/);
  });
});
