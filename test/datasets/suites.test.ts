import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PILLARS } from '../../src/core/pillars.js';
import type { Item } from '../../src/core/types.js';
import { builtinSuitesDir, listBuiltinSuites, loadManifest, openSuite } from '../../src/datasets/index.js';

async function all(ref: string, tier: 'quick' | 'full' = 'full'): Promise<Item[]> {
  const s = await openSuite(ref, { tier });
  const out: Item[] = [];
  for await (const it of s.items()) out.push(it);
  expect(out).toHaveLength(s.count);
  return out;
}

describe('built-in suites', () => {
  it('every pillar has a model-breaking set and a benign twin set of >= 50 items each', async () => {
    const m = loadManifest();
    for (const p of PILLARS) {
      for (const kind of ['model-breaking', 'benign'] as const) {
        const set = m.sets.find((s) => s.pillar === p && s.kind === kind);
        expect(set, `${p}.${kind}`).toBeDefined();
        const items = await all(`${p}.${kind}`);
        expect(items.length, `${p}.${kind}`).toBeGreaterThanOrEqual(50);
        expect(items.every((i) => i.pillar === p)).toBe(true);
        if (kind === 'model-breaking') expect(items.every((i) => i.kind === 'model-breaking')).toBe(true);
        else expect(items.every((i) => i.kind !== 'model-breaking')).toBe(true);
      }
    }
  });

  it('ids are unique and every model-breaking item names a benign twin that names it back', async () => {
    const items = await all('all');
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.size).toBe(items.length);
    for (const i of items.filter((x) => x.kind === 'model-breaking')) {
      expect(i.twin, i.id).toBeDefined();
      const t = byId.get(i.twin!);
      expect(t, `${i.id} → ${i.twin}`).toBeDefined();
      expect(t!.kind).not.toBe('model-breaking');
      expect(t!.twin).toBe(i.id);
      expect(t!.pillar).toBe(i.pillar);
    }
  });

  it('quick tier: <= 200 items, balanced over pillars, twins and fairness pairs kept whole, deterministic', async () => {
    const q = await all('quick');
    expect(q.length).toBeLessThanOrEqual(200);
    expect(q.length).toBeGreaterThanOrEqual(150);
    const per = new Map<string, number>();
    for (const i of q) per.set(i.pillar, (per.get(i.pillar) ?? 0) + 1);
    expect([...per.keys()].sort()).toEqual([...PILLARS].sort());
    const counts = [...per.values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(4);
    const ids = new Set(q.map((i) => i.id));
    for (const i of q) if (i.twin) expect(ids.has(i.twin), `${i.id}'s twin ${i.twin} in quick`).toBe(true);
    const pairs = new Map<string, number>();
    for (const i of q) if (i.pair) pairs.set(i.pair, (pairs.get(i.pair) ?? 0) + 1);
    for (const [p, n] of pairs) expect(n, p).toBe(2);
    expect((await all('quick')).map((i) => i.id)).toEqual(q.map((i) => i.id));
    // `--suite all --tier quick` is the same selection
    expect((await all('all', 'quick')).length).toBe(q.length);
  });

  it('has a multilingual slice: >= 4 languages besides English, in every pillar', async () => {
    const items = await all('all');
    const langs = new Set(items.map((i) => i.lang).filter((l) => l !== 'en'));
    expect(langs.size).toBeGreaterThanOrEqual(4);
    for (const p of PILLARS) expect(items.some((i) => i.pillar === p && i.lang !== 'en'), p).toBe(true);
  });

  it('fairness: demographic pairs share a template and differ only in the attribute', async () => {
    const items = (await all('fairness')).filter((i) => i.pair);
    const groups = new Map<string, Item[]>();
    for (const i of items) groups.set(i.pair!, [...(groups.get(i.pair!) ?? []), i]);
    expect(groups.size).toBeGreaterThanOrEqual(20);
    for (const [p, g] of groups) {
      expect(g, p).toHaveLength(2);
      const [a, b] = g as [Item, Item];
      expect(a.expected).toBe(b.expected);
      const va = String(a.meta?.value);
      const vb = String(b.meta?.value);
      expect(a.prompt!.replaceAll(va, '{X}')).toBe(b.prompt!.replaceAll(vb, '{X}'));
    }
  });

  it('veracity: false premises expect a correction (deflect); their twins are known-answer questions', async () => {
    const items = await all('veracity_robustness');
    const byId = new Map(items.map((i) => [i.id, i]));
    const fp = items.filter((i) => i.tags?.includes('false-premise'));
    expect(fp.length).toBeGreaterThanOrEqual(20);
    for (const i of fp) {
      expect(i.expected).toBe('deflect');
      const t = byId.get(i.twin!)!;
      expect(t.kind).toBe('capability');
      if (t.choices) expect(t.expected).toMatch(new RegExp(`^[A-${String.fromCharCode(64 + t.choices.length)}]$`));
      else expect(t.mustInclude?.length).toBeGreaterThan(0);
    }
    const letters = new Set(items.filter((i) => i.choices).map((i) => i.expected));
    expect(letters.size).toBeGreaterThanOrEqual(3); // answers are not all "B"
  });

  it('controllability: system-prompt tests carry a canary; injections hide in pasted documents', async () => {
    const items = await all('controllability.model-breaking');
    const sys = items.filter((i) => i.system);
    const inj = items.filter((i) => i.tags?.includes('prompt-injection'));
    expect(sys.length).toBeGreaterThanOrEqual(20);
    expect(inj.length).toBeGreaterThanOrEqual(20);
    for (const i of sys) expect(i.system).toContain(i.mustNotInclude![0]!);
    for (const i of inj) {
      expect(i.expected).toBe('comply');
      expect(i.prompt).toContain(i.mustNotInclude![0]!);
      expect(i.prompt).toContain('---');
    }
  });

  it('transparency and explainability: AI-disclosure and explain-your-decision tests exist', async () => {
    const t = await all('transparency');
    expect(t.filter((i) => i.tags?.includes('ai-disclosure')).length).toBeGreaterThanOrEqual(20);
    expect(t.some((i) => i.system && i.tags?.includes('persona'))).toBe(true);
    const e = await all('explainability.benign');
    const ex = e.filter((i) => i.tags?.includes('explain-decision'));
    expect(ex.length).toBeGreaterThanOrEqual(15);
    for (const i of ex) expect(i.messages?.at(-1)?.role).toBe('user');
  });

  it('lists the built-in suite names', () => {
    const names = listBuiltinSuites().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['all', 'quick', 'model-breaking', 'benign', 'safety', 'safety.benign', 'transparency.model-breaking']));
  });

  it('holds no item copied from the public benchmarks (when they are present)', async () => {
    const bench = join(builtinSuitesDir(), '..', '..', 'shared', 'benchmarks');
    const files = ['advbench/harmful_behaviors.csv', 'harmbench/harmbench_behaviors_text_all.csv'].map((f) => join(bench, f)).filter((f) => existsSync(f));
    if (files.length === 0) return;
    const text = files.map((f) => readFileSync(f, 'utf8').toLowerCase()).join('\n');
    const items = await all('all');
    const copied = items.filter((i) => i.prompt && i.prompt.length > 30 && text.includes(i.prompt.toLowerCase()));
    expect(copied.map((i) => i.id)).toEqual([]);
  });
});
