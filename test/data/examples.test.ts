import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPackPath } from '../../src/core/paths.js';
import { checkPack } from '../../src/policy/load.js';
import type { PolicyPack } from '../../src/policy/schema.js';

/**
 * The guard's training data (policies/default/examples/*.yaml) must stay big, balanced and
 * held out. Loads the default pack when its header has landed; otherwise the examples folder
 * with a minimal header naming the 24 default policies (test/data/pack/header.yaml).
 */

const RISKY = [
  'safety.cbrn', 'safety.cyber', 'safety.weapons', 'safety.drugs', 'safety.self_harm', 'safety.violent_extremism',
  'fairness.hate_harassment', 'safety.sexual_minors', 'safety.fraud', 'privacy_security.privacy',
  'veracity_robustness.misinformation', 'fairness.discrimination', 'transparency.impersonation',
  'governance.copyright', 'controllability.prompt_injection',
  'safety.violent_crime', 'safety.nonviolent_crime', 'safety.sex_crime', 'safety.sexual_content', 'safety.specialized_advice',
  'veracity_robustness.defamation', 'veracity_robustness.elections',
];

let pack: PolicyPack;
let tmp: string | undefined;

beforeAll(() => {
  const hasHeader = readdirSync(defaultPackPath).some((f) => /\.ya?ml$/.test(f));
  let path = defaultPackPath;
  if (!hasHeader) {
    tmp = mkdtempSync(join(tmpdir(), 'pillars-guard-data-'));
    cpSync(join(defaultPackPath, 'examples'), join(tmp, 'examples'), { recursive: true });
    cpSync(join(import.meta.dirname, 'pack', 'header.yaml'), join(tmp, 'header.yaml'));
    path = tmp;
  }
  const { loaded, problems } = checkPack(path);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  pack = loaded!.pack;
});

afterAll(() => {
  if (tmp && existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
});

describe('default pack training examples', () => {
  it('holds at least 3,000 examples', () => {
    expect(pack.examples.length).toBeGreaterThanOrEqual(3000);
  });

  it('covers every risky topic at every level with at least 25 examples', () => {
    for (const policy of RISKY) {
      // safety.sexual_minors refuses at every level: awareness-level child-protection questions are
      // outside the topic (its boundary says so) and are labelled benign, so its cells start at 2.
      const levels = policy === 'safety.sexual_minors' ? [2, 3] : [0, 1, 2, 3];
      for (const level of levels) {
        const n = pack.examples.filter((e) => e.policy === policy && e.level === level).length;
        expect(n, `${policy} level ${level}`).toBeGreaterThanOrEqual(25);
      }
    }
  });

  it('has examples for ai_disclosure and decision explanations', () => {
    for (const policy of ['transparency.ai_disclosure', 'explainability.decision_explanations']) {
      expect(pack.examples.filter((e) => e.policy === policy).length, policy).toBeGreaterThanOrEqual(20);
    }
  });

  it('has at least 500 benign look-alikes, all at level 0', () => {
    const benign = pack.examples.filter((e) => e.policy === null);
    expect(benign.length).toBeGreaterThanOrEqual(500);
    expect(benign.every((e) => e.level === 0)).toBe(true);
  });

  it('has a slice in at least four languages besides English, each with risky and benign items', () => {
    const langs = new Map<string, { risky: number; benign: number }>();
    for (const e of pack.examples) {
      if (e.lang === 'en') continue;
      const c = langs.get(e.lang) ?? { risky: 0, benign: 0 };
      if (e.policy === null) c.benign++;
      else c.risky++;
      langs.set(e.lang, c);
    }
    const full = [...langs.values()].filter((c) => c.risky >= 20 && c.benign >= 5);
    expect(full.length).toBeGreaterThanOrEqual(4);
    expect(pack.examples.filter((e) => e.lang !== 'en').length).toBeGreaterThanOrEqual(300);
  });

  it('has adversarial rewrites labelled with a policy', () => {
    const adv = pack.examples.filter((e) => e.tags?.includes('adversarial'));
    expect(adv.length).toBeGreaterThanOrEqual(350);
    expect(adv.every((e) => e.policy !== null)).toBe(true);
  });

  it('holds out 15-25% as the test split, overall and in every risky cell', () => {
    const share = (xs: { split?: string }[]): number => xs.filter((e) => e.split === 'test').length / xs.length;
    expect(share(pack.examples)).toBeGreaterThanOrEqual(0.15);
    expect(share(pack.examples)).toBeLessThanOrEqual(0.25);
    for (const policy of RISKY) {
      for (const level of policy === 'safety.sexual_minors' ? [2, 3] : [0, 1, 2, 3]) {
        const s = share(pack.examples.filter((e) => e.policy === policy && e.level === level));
        expect(s, `${policy} level ${level}`).toBeGreaterThan(0.1);
        expect(s, `${policy} level ${level}`).toBeLessThan(0.3);
      }
    }
    expect(share(pack.responses)).toBeGreaterThanOrEqual(0.15);
    expect(share(pack.responses)).toBeLessThanOrEqual(0.25);
  });

  it('never puts one text in both splits', () => {
    const train = new Set(pack.examples.filter((e) => e.split !== 'test').map((e) => e.text.toLowerCase()));
    const leaked = pack.examples.filter((e) => e.split === 'test' && train.has(e.text.toLowerCase()));
    expect(leaked.map((e) => e.text)).toEqual([]);
  });

  it('has at least 600 responses with all four labels, in several languages', () => {
    expect(pack.responses.length).toBeGreaterThanOrEqual(600);
    for (const label of ['refused', 'complied', 'deflected', 'partial'] as const) {
      expect(pack.responses.filter((r) => r.label === label).length, label).toBeGreaterThanOrEqual(60);
    }
    expect(new Set(pack.responses.map((r) => r.lang)).size).toBeGreaterThanOrEqual(3);
  });

  it('never answers with operational detail: harmful compliance is shape only', () => {
    const harmfulComply = pack.responses.filter((r) => r.label === 'complied' && /\[(details|specifics|steps?) [^\]]*omitted[^\]]*\]/i.test(r.text));
    expect(harmfulComply.length).toBeGreaterThan(0);
    for (const r of pack.responses) {
      expect(r.text, r.text).not.toMatch(/\b\d+(\.\d+)?\s?(mg\/kg|grams? of|ml of|°C for)\b/i);
    }
  });
});

describe('generator', () => {
  it('the committed YAML is exactly what scripts/data/build-examples.ts builds from the seeds', async () => {
    const { build, staleFiles } = await import('../../scripts/data/build-examples.js');
    const files = build();
    expect(files.size).toBeGreaterThanOrEqual(20);
    expect(staleFiles(files)).toEqual([]);
    // Deterministic: a second build is byte-identical.
    const again = build();
    for (const [name, text] of files) expect(again.get(name), name).toBe(text);
  });
});
