import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath, loadDefaultModel, saveModel, trainModel } from '../../src/classifier/index.js';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/core/errors.js';
import { configuredGuard, guardSettings } from '../../src/guard/config.js';
import { createGuard, modelHash } from '../../src/guard/index.js';
import { loadPack } from '../../src/policy/load.js';
import { buildTargets, guardProvider } from '../../src/targets/index.js';

const TINY_PACK = join(import.meta.dirname, 'fixtures', 'tiny-pack.yaml');
let dir: string;

const config = (name: string, text: string): ReturnType<typeof loadConfig> => {
  writeFileSync(join(dir, name), text);
  return loadConfig({ config: join(dir, name) });
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pillars-guard-config-'));
  const { pack } = loadPack(TINY_PACK);
  saveModel(trainModel({ pack, seed: 3 }), join(dir, 'a.json'));
  copyFileSync(join(dir, 'a.json'), join(dir, 'a-copy.json'));
  saveModel(trainModel({ pack, seed: 4 }), join(dir, 'b.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model hash', () => {
  it('is the sha256 of the model file as Pillars writes it', () => {
    const file = createHash('sha256').update(readFileSync(defaultModelPath)).digest('hex');
    expect(modelHash(loadDefaultModel())).toBe(file);
    expect(createGuard({ pack: loadPack(TINY_PACK).pack }).modelHash).toBe(file);
  });
});

describe('configuredGuard', () => {
  it('fingerprints by the model content, not its path, and by every setting', () => {
    const fp = (model: string, extra = ''): string => configuredGuard(config(`c-${model}-${extra.length}.yaml`, `policy: ${TINY_PACK}\nguard:\n  model: ${model}\n${extra}`)).fingerprint;
    const a = fp('a.json');
    expect(fp('a-copy.json')).toBe(a);
    expect(fp('b.json')).not.toBe(a);
    expect(fp('a.json', '  redact: []\n')).not.toBe(a);
    expect(fp('a.json', '  band: [0.1, 0.9]\n')).not.toBe(a);
    expect(a).toMatch(/^guard#[0-9a-f]{16}$/);
  });

  it('is one guard: built once, and the one buildTargets gives its guard targets', async () => {
    const cfg = config('one.yaml', `policy: ${TINY_PACK}\nguard:\n  model: a.json\n  redact: false\n`);
    const g = configuredGuard(cfg);
    expect(g.guard()).toBe(g.guard());
    expect(g.settings).toMatchObject({ redact: [], failClosed: true, modelPath: join(dir, 'a.json') });
    const targets = buildTargets({ config: cfg, guard: g });
    const other = configuredGuard(config('other.yaml', `policy: ${TINY_PACK}\nguard:\n  model: b.json\n  redact: false\n`));
    expect(buildTargets({ config: cfg, guard: other }).get('guard')!.fingerprint).not.toBe(targets.get('guard')!.fingerprint);
    // Without one, buildTargets builds the configured guard itself (the same settings, the same fingerprint).
    expect(buildTargets({ config: cfg }).get('guard')!.fingerprint).toBe(targets.get('guard')!.fingerprint);
  });

  it('a library guard from options fingerprints its model too', () => {
    const pack = loadPack(TINY_PACK).pack;
    const a = guardProvider({ pack }).fingerprint;
    expect(guardProvider({ pack }).fingerprint).toBe(a);
    expect(guardProvider({ pack, redact: [] }).fingerprint).not.toBe(a);
  });

  it('names the line of a missing model file and of a cascade target that is guarded itself', () => {
    try {
      guardSettings(config('missing.yaml', 'guard:\n  model: nope.json\n'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).problems[0]).toMatchObject({ line: 2, message: expect.stringContaining('nope.json not found') });
    }
    const cfg = config(
      'loop.yaml',
      ['targets:', '  - { id: m, type: openai, baseUrl: "http://127.0.0.1:9/v1", model: x }', '  - { id: g, wraps: m, guard: true }', 'guard:', '  cascade: {target: g}'].join('\n'),
    );
    const targets = buildTargets({ config: cfg });
    try {
      void targets.get('g')!.fingerprint;
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).problems[0]).toMatchObject({ line: 5, message: expect.stringContaining('uses the guard itself') });
    }
  });
});
